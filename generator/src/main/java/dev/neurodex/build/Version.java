package dev.neurodex.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** neurodex's own version, stamped into every manifest and page footer. */
public final class Version {
    private Version() {}

    public static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/neurodex.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
