package dev.neurodex.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * Opens DJL's PyTorch engine without any network access. The properties must be set before the first
 * DJL class loads: offline stops engine downloads, OPT_OUT_TRACKING stops a call to a cloud metadata address.
 */
public final class OfflineEngine {
    private OfflineEngine() {}

    /** Sets the offline properties; idempotent, and never overrides what the user set. */
    public static void configure() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        if (System.getenv("DJL_CACHE_DIR") == null) {
            setIfAbsent("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
        }
    }

    /** A root manager on the CPU with {@code threads} intra-op threads (0: PyTorch's default). */
    public static NDManager newManager(int threads) {
        configure();
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
