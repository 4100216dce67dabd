package dev.wirelab.netstack.http;

import dev.wirelab.netstack.socket.NodeFiles;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The small built-in site a web server node gets when its topology gives no files: a home page
 * with a title, text, a link and an image, a style sheet, a PNG logo (real PNG bytes), a page in
 * a subdirectory, a text file and a JSON document, so that every Content-Type a browser treats
 * differently can be fetched.
 */
public final class DefaultSite {

    private DefaultSite() {
    }

    /** The site's files, relative to the document root ("/index.html"...). */
    public static Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("/index.html", utf8("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Example Domain</title>
                  <link rel="stylesheet" href="/style.css">
                </head>
                <body>
                  <h1>Example Domain</h1>
                  <p>You reached www.example.com inside a Wirelab lab: this page came over a TCP connection
                  from a virtual web server, after DHCP gave you an address and DNS found this name.</p>
                  <p><img src="/logo.png" alt="Wirelab logo"> <a href="/about/">How this page got here</a></p>
                </body>
                </html>
                """));
        m.put("/style.css", utf8("""
                body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
                h1 { color: #235; }
                """));
        m.put("/logo.png", png(32, 32));
        m.put("/about/index.html", utf8("""
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>About this lab</title></head>
                <body>
                  <h1>The journey of a page</h1>
                  <ol>
                    <li>DHCP: discover, offer, request, acknowledge.</li>
                    <li>DNS: the resolver asks the root, then com., then example.com.</li>
                    <li>ARP for the gateway, then routers forward hop by hop.</li>
                    <li>TCP: SYN, SYN-ACK, ACK; then the HTTP request and response; then FIN and ACK.</li>
                  </ol>
                  <p><a href="/">Back</a></p>
                </body>
                </html>
                """));
        m.put("/hello.txt", utf8("Hello from the lab's web server.\n"));
        m.put("/data.json", utf8("{\"lab\": \"journey\", \"server\": \"www.example.com\", \"ok\": true}\n"));
        return m;
    }

    /** Puts the site under {@code root} unless a file is already there (the topology's files win). */
    public static void install(NodeFiles files, String root) {
        String r = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        files().forEach((path, bytes) -> {
            if (!files.exists(r + path)) {
                files.put(r + path, bytes);
            }
        });
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A width x height truecolour PNG (ISO/IEC 15948: signature, IHDR, IDAT with zlib data, IEND;
     * each chunk with its CRC-32), a diagonal gradient.
     */
    static byte[] png(int width, int height) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            raw.write(0); // filter type None for this scanline
            for (int x = 0; x < width; x++) {
                raw.write(32 + x * 6);
                raw.write(48 + y * 5);
                raw.write(160);
            }
        }
        Deflater d = new Deflater(9);
        d.setInput(raw.toByteArray());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        d.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
