package hub.devserver;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

import sun.misc.Signal;

/**
 * A throwaway Neo4j (Community) for development and tests: Bolt on loopback,
 * no auth, no HTTP. Prints exactly one line, the Bolt URL, on stdout once Bolt
 * accepts connections. Started by scripts/neo4j-dev, which documents the flags.
 */
public final class Neo4jDevServer {
    private static final String HOST = "127.0.0.1";
    private static final int AUTO_PORT_ATTEMPTS = 5;
    private static final Set<String> FLAGS = Set.of("--port", "--data", "--tx-timeout", "--pagecache-mb");

    private static volatile DatabaseManagementService dbms;

    public static void main(String[] args) throws Exception {
        // Callers parse stdout for the URL, so keep the real stream for that one line
        // and send anything any library might print there to stderr instead.
        PrintStream urlOut = System.out;
        System.setOut(System.err);

        int port = 0;
        Path dataDir = null;
        Duration txTimeout = Duration.ZERO; // Neo4j's own default: no timeout
        long pagecacheMb = 256; // small: several instances may share a 2-core CI box
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (!FLAGS.contains(flag)) {
                usage("unknown argument " + flag);
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--port" -> port = parsePort(value);
                case "--data" -> dataDir = Path.of(value).toAbsolutePath();
                case "--pagecache-mb" -> pagecacheMb = Math.max(8, parseNonNegative(flag, value));
                default -> txTimeout = Duration.ofSeconds(parseNonNegative(flag, value));
            }
        }

        boolean ownsDataDir = dataDir == null;
        Path home = ownsDataDir ? Files.createTempDirectory("neo4j-dev-") : Files.createDirectories(dataDir);

        // Registered before starting so a signal during startup still cleans up.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(home, ownsDataDir), "neo4j-dev-shutdown"));
        // The JVM's default for SIGTERM/SIGINT is exit code 143/130; a requested stop is
        // a normal stop, so exit 0 (shutdown hooks still run).
        Signal.handle(new Signal("TERM"), sig -> System.exit(0));
        Signal.handle(new Signal("INT"), sig -> System.exit(0));

        try {
            port = start(home, port, txTimeout, pagecacheMb);
        } catch (Exception e) {
            System.err.println("neo4j-dev: Neo4j failed to start: " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                System.err.println("  caused by: " + c);
            }
            if (!ownsDataDir) {
                System.err.println("neo4j-dev: full log in " + home.resolve("logs/debug.log"));
            }
            System.exit(1);
        }

        urlOut.println("bolt://" + HOST + ":" + port);
        urlOut.flush();

        // Neo4j's threads are non-daemon anyway; block explicitly so it is obvious that
        // only a signal (or kill) ends the process.
        new CountDownLatch(1).await();
    }

    /** Starts Neo4j and returns the Bolt port it listens on. */
    private static int start(Path home, int requestedPort, Duration txTimeout, long pagecacheMb)
            throws Exception {
        // A port picked by us can be taken by someone else (e.g. a parallel test's server)
        // before Neo4j binds it, so retry with a fresh one. A port given by the user is not retried.
        int attempts = requestedPort == 0 ? AUTO_PORT_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            int port = requestedPort == 0 ? freePort() : requestedPort;
            try {
                dbms = newBuilder(home, port, txTimeout, pagecacheMb).build();
                awaitBolt(port, Duration.ofSeconds(60));
                return port;
            } catch (Exception e) {
                shutdownQuietly();
                if (attempt >= attempts) {
                    throw e;
                }
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.err.println("neo4j-dev: start on port " + port + " failed (" + root.getMessage() + "), retrying");
            }
        }
    }

    private static DatabaseManagementServiceBuilder newBuilder(
            Path home, int port, Duration txTimeout, long pagecacheMb) {
        DatabaseManagementServiceBuilder builder = baseBuilder(home, port, txTimeout, pagecacheMb);
        // Graph Data Science (scripts/neo4j-dev puts its jars on the classpath and names
        // their folder here): an embedded DBMS registers procedures only from jars in its
        // plugin directory, and GDS's need the unrestricted grant, as on a packaged server.
        String plugins = System.getProperty("hub.devserver.plugins");
        if (plugins != null && Files.isDirectory(Path.of(plugins))) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath())
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"));
        }
        return builder;
    }

    private static DatabaseManagementServiceBuilder baseBuilder(
            Path home, int port, Duration txTimeout, long pagecacheMb) {
        // Only warnings reach stderr (debug.log under <data>/logs has the rest): a caller that
        // pipes stderr and never reads it must not be able to block the server.
        return new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.err, Level.WARN))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // Only reachable on loopback, and tests must not need credentials.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.transaction_timeout, txTimeout)
                // Small by default (--pagecache-mb): several instances may share a 2-core CI box.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
                // No outbound network here; don't even try to phone home.
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                // Bolt's graceful shutdown otherwise idles ~10 s in Netty quiet periods, which
                // makes every test session's teardown that much slower.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1));
    }

    /** build() returns once the DBMS is up; confirm the Bolt socket really accepts before announcing it. */
    private static void awaitBolt(int port, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Bolt not accepting connections on " + HOST + ":" + port, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(HOST, 0));
            return s.getLocalPort();
        }
    }

    private static synchronized void shutdownQuietly() {
        DatabaseManagementService d = dbms;
        dbms = null;
        if (d != null) {
            try {
                d.shutdown();
            } catch (Exception e) {
                System.err.println("neo4j-dev: error during shutdown: " + e);
            }
        }
    }

    private static void stop(Path home, boolean ownsDataDir) {
        shutdownQuietly();
        if (ownsDataDir) {
            try (Stream<Path> paths = Files.walk(home)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("neo4j-dev: could not remove " + home + ": " + e);
            }
        }
    }

    private static int parsePort(String value) {
        int port = parseNonNegative("--port", value);
        if (port > 65535) {
            usage("--port must be 0..65535");
        }
        return port;
    }

    private static int parseNonNegative(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to usage
        }
        usage(flag + " needs a non-negative integer, got '" + value + "'");
        return -1; // unreachable
    }

    private static void usage(String problem) {
        System.err.println("neo4j-dev: " + problem
                + "; usage: neo4j-dev [--port N] [--data DIR] [--tx-timeout SECONDS]");
        System.exit(2);
    }
}
