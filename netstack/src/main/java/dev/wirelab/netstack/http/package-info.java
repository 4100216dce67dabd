/**
 * HTTP/1.1 (RFC 9110 semantics, RFC 9112 message syntax): header fields, requests and responses,
 * an incremental stream decoder for both (Content-Length, chunked with trailers, read-until-close),
 * the writer, URLs, media types by file extension, a static site served from node files, and what
 * a browser would show of a response. No I/O here: the programs {@code curl}, {@code browse} and
 * {@code httpd} move the bytes through the node's sockets.
 */
package dev.wirelab.netstack.http;
