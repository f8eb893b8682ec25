package org.vitrine.cli.window;

import static org.lwjgl.opengl.GL33C.*;

import org.vitrine.emulator.display.Frame;

/**
 * The OpenGL side of the window (3.3 core): one texture for the scanout, uploaded with
 * glTexSubImage2D as GL_RGBA / GL_UNSIGNED_BYTE straight from {@link Frame#rgba()} (the layout the
 * frame already has, and the fast path on Mesa's llvmpipe), re-created when the guest's resolution
 * changes; one small texture for the guest cursor, drawn on top with alpha blending. Both quads come
 * from a vertex shader that needs no vertex buffer. Must be used on the thread that owns the context.
 */
final class FrameRenderer implements AutoCloseable {
    /** Background of the bars and of the window before the guest's first frame. */
    static final float BG_R = 0.07f, BG_G = 0.07f, BG_B = 0.08f;

    private static final String VERTEX = """
            #version 330 core
            uniform vec4 rect;     // x, y, width, height in framebuffer pixels, origin top left
            uniform vec2 viewport; // framebuffer size
            out vec2 uv;
            void main() {
                vec2 c = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
                vec2 p = rect.xy + c * rect.zw;
                gl_Position = vec4(p.x / viewport.x * 2.0 - 1.0, 1.0 - p.y / viewport.y * 2.0, 0.0, 1.0);
                uv = c; // texture row 0 is the picture's top row
            }
            """;
    private static final String FRAGMENT = """
            #version 330 core
            uniform sampler2D tex;
            uniform bool opaque;
            in vec2 uv;
            out vec4 color;
            void main() {
                vec4 t = texture(tex, uv);
                color = opaque ? vec4(t.rgb, 1.0) : t;
            }
            """;

    private final int program, vao, frameTex, cursorTex, panelTex;
    private int panelW, panelH;
    private final int uRect, uViewport, uOpaque;
    private int texW, texH;
    private volatile long uploadedSequence;
    private int[] uploadedPixels;
    private int[] cursorImage;
    private int cursorSide;
    private int filter = GL_LINEAR;

    // Statistics, written by the window thread only.
    private volatile long uploads, uploadNanos, draws;

    FrameRenderer() {
        program = link(compile(GL_VERTEX_SHADER, VERTEX), compile(GL_FRAGMENT_SHADER, FRAGMENT));
        uRect = glGetUniformLocation(program, "rect");
        uViewport = glGetUniformLocation(program, "viewport");
        uOpaque = glGetUniformLocation(program, "opaque");
        glUseProgram(program);
        glUniform1i(glGetUniformLocation(program, "tex"), 0);
        vao = glGenVertexArrays(); // core profile draws need a bound VAO, even without attributes
        glBindVertexArray(vao);
        frameTex = newTexture();
        cursorTex = newTexture();
        panelTex = newTexture();
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE); // keep the window opaque
        glClearColor(BG_R, BG_G, BG_B, 1f);
    }

    /**
     * Draws {@code frame} (may be null: background only) into the current framebuffer of size
     * {@code fbW x fbH}, the picture at {@code box}. Uploads pixels only when the frame's sequence,
     * pixel array or size changed since the last upload.
     */
    void draw(Frame frame, int fbW, int fbH, Letterbox box, DesktopWindow.Filter filterMode) {
        glViewport(0, 0, Math.max(fbW, 1), Math.max(fbH, 1));
        glDisable(GL_SCISSOR_TEST);
        glClear(GL_COLOR_BUFFER_BIT);
        draws++;
        if (frame == null || box.isEmpty() || fbW <= 0 || fbH <= 0) return;

        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, frameTex);
        upload(frame);
        setFilter(filterMode, box, frame);
        glUniform2f(uViewport, fbW, fbH);
        glUniform4f(uRect, box.x(), box.y(), box.width(), box.height());
        glUniform1i(uOpaque, 1);
        glDisable(GL_BLEND);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);

        Frame.Cursor c = frame.cursor();
        if (c != null && c.image() != null && Screenshots.cursorSide(c.image()) > 0) {
            glBindTexture(GL_TEXTURE_2D, cursorTex);
            if (c.image() != cursorImage) {
                cursorSide = Screenshots.cursorSide(c.image());
                glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, cursorSide, cursorSide, 0, GL_RGBA, GL_UNSIGNED_BYTE, c.image());
                cursorImage = c.image();
            }
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
            double sx = box.width() / (double) frame.width(), sy = box.height() / (double) frame.height();
            glUniform4f(uRect, (float) (box.x() + (c.x() - c.hotX()) * sx), (float) (box.y() + (c.y() - c.hotY()) * sy),
                    (float) (cursorSide * sx), (float) (cursorSide * sy));
            glUniform1i(uOpaque, 0);
            glEnable(GL_BLEND);
            glEnable(GL_SCISSOR_TEST); // the cursor plane is clipped to the scanout, not drawn over the bars
            glScissor(box.x(), fbH - box.y() - box.height(), box.width(), box.height());
            glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
            glDisable(GL_SCISSOR_TEST);
            glDisable(GL_BLEND);
        }
    }

    /** True when the side panel's texture is not {@code w x h} yet (it must be uploaded whole). */
    boolean panelSize(int w, int h) {
        return w != panelW || h != panelH;
    }

    /** The side panel's pixels (0xAARRGGBB ints, top row first): BGRA bytes on a little-endian host. */
    void uploadPanel(int[] argb, int w, int h) {
        glBindTexture(GL_TEXTURE_2D, panelTex);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_BGRA, GL_UNSIGNED_INT_8_8_8_8_REV, argb);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        panelW = w;
        panelH = h;
    }

    /** Draws the uploaded side panel 1:1 with its left edge at framebuffer column {@code x}. */
    void drawPanel(int x, int fbW, int fbH) {
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, panelTex);
        glUniform2f(uViewport, fbW, fbH);
        glUniform4f(uRect, x, 0, panelW, panelH);
        glUniform1i(uOpaque, 1);
        glDisable(GL_BLEND);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }

    private void upload(Frame frame) {
        if (frame.width() != texW || frame.height() != texH) {
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, frame.width(), frame.height(), 0, GL_RGBA, GL_UNSIGNED_BYTE,
                    (java.nio.ByteBuffer) null);
            texW = frame.width();
            texH = frame.height();
            uploadedPixels = null;
        }
        if (frame.rgba() == uploadedPixels && frame.sequence() == uploadedSequence) return;
        long t0 = System.nanoTime();
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, texW, texH, GL_RGBA, GL_UNSIGNED_BYTE, frame.rgba());
        uploadNanos += System.nanoTime() - t0;
        uploads++;
        uploadedPixels = frame.rgba();
        uploadedSequence = frame.sequence();
    }

    private void setFilter(DesktopWindow.Filter mode, Letterbox box, Frame frame) {
        boolean nearest = switch (mode) {
            case NEAREST -> true;
            case LINEAR -> false;
            // Integer scales (1:1, 2:1 on HiDPI) stay sharp; anything else is smoothed.
            case AUTO -> box.width() % frame.width() == 0 && box.height() % frame.height() == 0
                    && box.width() / frame.width() == box.height() / frame.height();
        };
        filter = nearest ? GL_NEAREST : GL_LINEAR;
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    }

    long uploads() { return uploads; }

    long uploadNanos() { return uploadNanos; }

    long draws() { return draws; }

    long uploadedSequence() { return uploadedSequence; }

    @Override
    public void close() {
        glDeleteTextures(frameTex);
        glDeleteTextures(cursorTex);
        glDeleteTextures(panelTex);
        glDeleteVertexArrays(vao);
        glDeleteProgram(program);
    }

    private static int newTexture() {
        int t = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, t);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        return t;
    }

    private static int compile(int type, String source) {
        int s = glCreateShader(type);
        glShaderSource(s, source);
        glCompileShader(s);
        if (glGetShaderi(s, GL_COMPILE_STATUS) == GL_FALSE) {
            throw new IllegalStateException("shader does not compile: " + glGetShaderInfoLog(s));
        }
        return s;
    }

    private static int link(int vs, int fs) {
        int p = glCreateProgram();
        glAttachShader(p, vs);
        glAttachShader(p, fs);
        glLinkProgram(p);
        if (glGetProgrami(p, GL_LINK_STATUS) == GL_FALSE) {
            throw new IllegalStateException("shader program does not link: " + glGetProgramInfoLog(p));
        }
        glDeleteShader(vs);
        glDeleteShader(fs);
        return p;
    }
}
