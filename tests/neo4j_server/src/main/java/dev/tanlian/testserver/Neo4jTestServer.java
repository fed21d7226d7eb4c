package dev.tanlian.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Throw-away Neo4j 5 Community server for Tanlian's test suite.
 *
 * <p>Starts an embedded DBMS with only the Bolt connector (127.0.0.1, no auth, no TLS) and prints
 * exactly one line {@code NEO4J_READY bolt://127.0.0.1:<port>} to stdout once the default database
 * is available. Stops on SIGTERM/SIGINT (and, with {@code --exit-on-stdin-eof}, when stdin closes),
 * deleting the data directory if it created it.
 *
 * <pre>
 * args: [--dir DIR] [--port N] [--exit-on-stdin-eof]
 *   --dir DIR   data directory (kept on exit). Default: a fresh temp dir, deleted on exit.
 *   --port N    Bolt port. Default 0: the OS picks a free port, read back from the connector.
 * </pre>
 */
public final class Neo4jTestServer {

    public static final String READY_PREFIX = "NEO4J_READY ";

    private Neo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int port = 0;
        boolean exitOnStdinEof = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir":
                    dir = Paths.get(requireValue(args, ++i, "--dir"));
                    break;
                case "--port":
                    port = Integer.parseInt(requireValue(args, ++i, "--port"));
                    break;
                case "--exit-on-stdin-eof":
                    exitOnStdinEof = true;
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: Neo4jTestServer [--dir DIR] [--port N] [--exit-on-stdin-eof]");
                    return;
                default:
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
            }
        }
        if (port < 0 || port > 65535) {
            System.err.println("bad --port: " + port);
            System.exit(2);
        }

        final boolean deleteOnExit = dir == null;
        final Path home = deleteOnExit ? Files.createTempDirectory("tanlian-neo4j-") : dir.toAbsolutePath();
        Files.createDirectories(home);

        final PrintStream out = System.out;

        // Neo4j's user log (what the neo4j.log file holds in a server install) goes to stderr, so the
        // Python side, which captures stdout and stderr into one log file, can show it on failure.
        // stdout carries nothing but the READY line. debug.log stays under <home>/logs.
        final Log4jLogProvider userLog = new Log4jLogProvider(System.err, Level.INFO);

        final DatabaseManagementService managementService;
        try {
            managementService = new DatabaseManagementServiceBuilder(home)
                    .setUserLogProvider(userLog)
                    // Bolt only, loopback only, no auth, no TLS. Port 0: the OS picks a free port,
                    // read back below from the ConnectorPortRegister (no bind/close/reuse race).
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    // No in-JVM "bolt-local" channel (unused; logs a netty SO_REUSEADDR warning).
                    .setConfig(BoltConnectorInternalSettings.enable_local_connector, false)
                    // Netty's graceful shutdown waits a 5 s quiet period per event-loop group
                    // (~10 s per stop); a throw-away server need not wait.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    // Small and fast on a 2-core box.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, 64L * 1024 * 1024)
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 16L * 1024 * 1024)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.check_point_interval_time, Duration.ofMinutes(15))
                    // The default (VERBOSE) writes every query with all its parameters to query.log.
                    .setConfig(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF)
                    // dbms.usage_report.enabled: no outbound network.
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .build();
        } catch (Throwable t) {
            System.err.println("neo4j failed to start: " + t);
            t.printStackTrace(System.err);
            dumpDebugLog(home);
            if (deleteOnExit) {
                deleteRecursively(home);
            }
            System.exit(1);
            return;
        }

        final AtomicBoolean stopped = new AtomicBoolean(false);
        final Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            try {
                managementService.shutdown();
            } catch (Throwable t) {
                System.err.println("neo4j shutdown failed: " + t);
            }
            userLog.close();
            if (deleteOnExit) {
                deleteRecursively(home);
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-test-server-shutdown"));

        GraphDatabaseService db = managementService.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(Duration.ofMinutes(3).toMillis())) {
            System.err.println("default database did not become available");
            dumpDebugLog(home);
            System.exit(1);
        }

        int boundPort = port;
        ConnectorPortRegister ports = ((GraphDatabaseAPI) db).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class);
        for (int i = 0; i < 600; i++) {
            var addr = ports.getLocalAddress(ConnectorType.BOLT);
            if (addr != null && addr.getPort() > 0) {
                boundPort = addr.getPort();
                break;
            }
            Thread.sleep(100);
        }
        if (boundPort <= 0) {
            System.err.println("could not determine the Bolt port");
            dumpDebugLog(home);
            System.exit(1);
        }
        if (!waitUntilListening(boundPort, Duration.ofMinutes(1))) {
            System.err.println("Bolt connector is not accepting connections on port " + boundPort);
            dumpDebugLog(home);
            System.exit(1);
        }

        out.println(READY_PREFIX + "bolt://127.0.0.1:" + boundPort);
        out.flush();

        if (exitOnStdinEof) {
            Thread t = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) != -1) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
                System.exit(0);
            }, "stdin-eof-watcher");
            t.setDaemon(true);
            t.start();
        }

        // Park the main thread; the shutdown hook does the work on SIGTERM/SIGINT/System.exit.
        Thread.currentThread().join();
    }

    private static String requireValue(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static boolean waitUntilListening(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    /** Copies the last lines of logs/debug.log to stderr, so a failed start shows why. */
    private static void dumpDebugLog(Path home) {
        Path log = home.resolve("logs").resolve("debug.log");
        try {
            if (!Files.exists(log)) {
                System.err.println("(no " + log + ")");
                return;
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            int from = Math.max(0, lines.size() - 150);
            System.err.println("---- last " + (lines.size() - from) + " lines of " + log + " ----");
            for (String line : lines.subList(from, lines.size())) {
                System.err.println(line);
            }
            System.err.println("---- end of debug.log ----");
        } catch (IOException e) {
            System.err.println("could not read " + log + ": " + e);
        }
        System.err.flush();
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
