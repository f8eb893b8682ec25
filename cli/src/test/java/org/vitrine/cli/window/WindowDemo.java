package org.vitrine.cli.window;

import static org.lwjgl.opengl.GL33C.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.display.HostInput;

/**
 * Manual check and measurements (test classpath): opens the window on $DISPLAY with synthetic
 * frames. {@code --fps 0} publishes one frame and then nothing (idle), {@code --seconds N} closes it
 * after N seconds, {@code --bench-upload N} first times N uploads of a 1024x768 frame.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp "$(cat cp.txt):cli/target/classes:cli/target/test-classes" \
 *     org.vitrine.cli.window.WindowDemo --fps 0 --seconds 20
 * </pre>
 */
public final class WindowDemo {
    public static void main(String[] args) throws Exception {
        int fps = 60, benchUploads = 0;
        double seconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--fps" -> fps = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--bench-upload" -> benchUploads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        FrameExchange frames = new FrameExchange();
        HostInput input = new HostInput();
        input.setOnPost(() -> { });
        try (SyntheticFrames producer = new SyntheticFrames(frames, 1024, 768);
             DesktopWindow w = DesktopWindow.open(frames, input, DesktopWindow.Options.defaults())) {
            producer.pause(fps == 0);
            System.out.println("renderer: " + glGetString(GL_RENDERER) + ", OpenGL " + glGetString(GL_VERSION));
            if (benchUploads > 0) benchUpload(benchUploads);
            if (seconds > 0) {
                double s = seconds;
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        Thread.sleep((long) (s * 1000));
                    } catch (InterruptedException ignored) {
                        return;
                    }
                    w.requestClose();
                });
            }
            System.out.println("window open, pid " + ProcessHandle.current().pid());
            w.loop(() -> System.out.println("closed by the user"));
            DesktopWindow.Stats st = w.stats();
            System.out.printf("%d draws, %d uploads, %.3f ms per upload; %d input events pending%n",
                    st.draws(), st.uploads(), st.averageUploadMillis(), input.drain().size());
        }
    }

    /** Times glTexSubImage2D of a 1024x768 frame from an int[] and from a direct buffer, RGBA and BGRA. */
    private static void benchUpload(int n) {
        int w = 1024, h = 768;
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) px[i] = i * 2654435761L > 0 ? i : ~i;
        IntBuffer direct = ByteBuffer.allocateDirect(px.length * 4).order(ByteOrder.nativeOrder()).asIntBuffer().put(px).flip();
        int tex = glGenTextures();
        glBindTexture(GL_TEXTURE_2D, tex);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, (ByteBuffer) null);
        for (int round = 0; round < 2; round++) { // the first round warms up
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px);
            glFinish();
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, direct);
            glFinish();
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_BGRA, GL_UNSIGNED_BYTE, direct);
            glFinish();
            long t3 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                direct.clear().put(px).flip();
                glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, direct);
            }
            glFinish();
            long t4 = System.nanoTime();
            if (round == 1) {
                System.out.printf("upload 1024x768: int[] RGBA %.3f ms, direct RGBA %.3f ms, direct BGRA %.3f ms,"
                                + " int[] copied to a direct buffer then RGBA %.3f ms%n",
                        (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, (t3 - t2) / 1e6 / n, (t4 - t3) / 1e6 / n);
            }
        }
        glDeleteTextures(tex);
    }
}
