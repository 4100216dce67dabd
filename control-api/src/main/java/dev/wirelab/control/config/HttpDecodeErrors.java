package dev.wirelab.control.config;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests the HTTP decoder refuses (a request line over its limit: 414, headers over theirs: 431,
 * anything else malformed: 400) get a problem-details body like every other error (RFC 9457),
 * instead of the bare status line the server would send, then the connection closes.
 */
@Component
public class HttpDecodeErrors implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory> {

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        Handler handler = new Handler();
        // After the server set up the channel's pipeline (HTTP/1.1 codec first), before any request.
        factory.addServerCustomizers(server -> server.doOnChannelInit((observer, channel, remote) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null && channel.pipeline().get(Handler.NAME) == null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, Handler.NAME, handler);
            }
        }));
    }

    @ChannelHandler.Sharable
    static final class Handler extends ChannelInboundHandlerAdapter {
        static final String NAME = "wirelab.decodeErrors";
        private final JsonMapper json = JsonMapper.builder().build();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest req) || !req.decoderResult().isFailure()) {
                ctx.fireChannelRead(msg);
                return;
            }
            Throwable cause = req.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            HttpResponseStatus status;
            String detail;
            if (cause instanceof TooLongHttpLineException) {
                status = HttpResponseStatus.REQUEST_URI_TOO_LONG; // RFC 9110 section 15.5.15
                detail = "the request line is too long: put long filters in fewer, shorter parameters";
            } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE; // RFC 6585 section 5
                detail = "the request headers are too large";
            } else {
                status = HttpResponseStatus.BAD_REQUEST;
                detail = "malformed HTTP request: " + cause.getMessage();
            }
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "about:blank");
            problem.put("title", status.reasonPhrase());
            problem.put("status", status.code());
            problem.put("detail", detail);
            byte[] body = json.writeValueAsBytes(problem);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
