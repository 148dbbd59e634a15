/* Peer.java — the command line of the Kafka Streams peer (bench/peer/README.md):
 *   run    the email promo as a Kafka Streams application (exactly_once_v2, RocksDB)
 *          until SIGTERM, reading switchyard's events and profiles topics and writing
 *          switchyard's output topics under its own prefix;
 *   digest one line per output record (role, key, SHA-256 of the value), read with
 *          read_committed, for bench/bench_peer.sh to compare two runs.
 * A benchmark helper, not a deployment: no TLS, no schema registry, one journey. */
package switchyard.peer;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

public final class Peer {
    static final String SINK_DECISIONS = "decisions";
    static final String SINK_ACTIONS = "actions.";
    static final String SINK_UPDATES = "contact-updates";
    private static final String[] CHANNELS = {"email", "push"};

    private Peer() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("run")) {
            run(options(args, "bootstrap", "application-id", "events", "profiles",
                        "out-prefix", "state-dir"));
        } else if (args.length >= 3 && args[0].equals("digest")) {
            System.exit(Digest.main(args));
        } else {
            System.err.println("usage: Peer run --bootstrap B --application-id ID --events T"
                + " --profiles T --out-prefix P --state-dir DIR [--threads N]\n"
                + "           [--punctuate-ms MS (stream time, default 1000)]"
                + " [--commit-ms MS (default 100)]\n"
                + "       Peer digest BOOTSTRAP ROLE=TOPIC...");
            System.exit(2);
        }
    }

    /* --name value pairs after the subcommand; every name in required must be there. */
    private static Map<String, String> options(String[] args, String... required) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--"))
                usageExit("expected an --option, got '" + args[i] + "'");
            o.put(args[i].substring(2), args[i + 1]);
        }
        for (String r : required)
            if (!o.containsKey(r))
                usageExit("--" + r + " is required");
        return o;
    }

    private static void usageExit(String why) {
        System.err.println("peer: " + why);
        System.exit(2);
    }

    static Topology topology(Map<String, String> o) {
        ByteArrayDeserializer d = new ByteArrayDeserializer();
        ByteArraySerializer s = new ByteArraySerializer();
        Topology t = new Topology();
        t.addSource(Topology.AutoOffsetReset.EARLIEST, "events", new EventTime(2), d, d,
                    o.get("events"));
        t.addSource(Topology.AutoOffsetReset.EARLIEST, "profiles", new EventTime(1), d, d,
                    o.get("profiles"));
        String profilesTopic = o.get("profiles");
        java.time.Duration every = java.time.Duration.ofMillis(
            Long.parseLong(o.getOrDefault("punctuate-ms", "1000")));
        t.addProcessor("promo", () -> new PromoProcessor(profilesTopic, every), "events",
                       "profiles");
        t.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PromoProcessor.INSTANCES), Serdes.String(),
            Serdes.ByteArray()).withCachingEnabled(), "promo");
        /* Not cached: a range over the record cache copies every cached key of the range
         * (a TreeMap per scan), which cost two thirds of the CPU when every event
         * looked for the next due timer; RocksDB's iterator seeks instead. */
        t.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PromoProcessor.TIMERS), Serdes.Bytes(),
            Serdes.ByteArray()).withCachingDisabled(), "promo");
        t.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PromoProcessor.PROFILES), Serdes.String(),
            Serdes.String()).withCachingEnabled(), "promo");
        t.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(PromoProcessor.META), Serdes.String(),
            Serdes.Long()).withCachingEnabled(), "promo");
        String prefix = o.get("out-prefix");
        t.addSink(SINK_DECISIONS, prefix + "decisions", s, s, "promo");
        for (String c : CHANNELS)
            t.addSink(SINK_ACTIONS + c, prefix + "actions." + c, s, s, "promo");
        t.addSink(SINK_UPDATES, prefix + "contact-updates", s, s, "promo");
        return t;
    }

    private static void run(Map<String, String> o) throws InterruptedException {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, o.get("application-id"));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, o.get("bootstrap"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, o.get("state-dir"));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, o.getOrDefault("threads", "1"));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        /* Streams' own default under exactly_once_v2, and switchyard's. */
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, o.getOrDefault("commit-ms", "100"));
        KafkaStreams streams = new KafkaStreams(topology(o), p);
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println("peer: stream thread failed: " + e);
            stopped.countDown();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
                .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(java.time.Duration.ofSeconds(30));
            System.err.println("peer: stopped; " + PromoProcessor.UNDECODABLE.get()
                + " undecodable records skipped");
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
    }
}
