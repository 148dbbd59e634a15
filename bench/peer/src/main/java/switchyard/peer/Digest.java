/* Digest.java — `Peer digest BOOTSTRAP ROLE=TOPIC...`: every committed record of each
 * topic (isolation.level = read_committed, from the beginning to the end as of the start)
 * as one line "ROLE KEY_HEX VALUE_SHA256" on stdout, in read order (sort them to compare);
 * the count per role on stderr. Gives up after DIGEST_TIMEOUT_MS (exit 1). */
package switchyard.peer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

final class Digest {
    private static final long DIGEST_TIMEOUT_MS = 300_000;

    private Digest() {}

    static int main(String[] args) throws IOException, NoSuchAlgorithmException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<String, String> roleOf = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        HexFormat hex = HexFormat.of();
        BufferedWriter out = new BufferedWriter(
            new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                 p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 2; i < args.length; i++) {
                String[] rt = args[i].split("=", 2);
                roleOf.put(rt[1], rt[0]);
                counts.put(rt[0], 0L);
                for (PartitionInfo pi : c.partitionsFor(rt[1], Duration.ofSeconds(30)))
                    parts.add(new TopicPartition(rt[1], pi.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.currentTimeMillis() + DIGEST_TIMEOUT_MS;
            while (!reached(c, end)) {
                if (System.currentTimeMillis() > deadline) {
                    System.err.println("digest: not at the end after " + DIGEST_TIMEOUT_MS
                        + " ms");
                    return 1;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String role = roleOf.get(r.topic());
                    counts.merge(role, 1L, Long::sum);
                    out.write(role + " " + (r.key() == null ? "-" : hex.formatHex(r.key()))
                        + " " + hex.formatHex(sha.digest(r.value() == null ? new byte[0]
                                                                           : r.value())));
                    out.newLine();
                }
            }
        }
        out.flush();
        counts.forEach((role, n) -> System.err.println("digest: " + role + " " + n));
        return 0;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c,
                                   Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet())
            if (c.position(e.getKey()) < e.getValue())
                return false;
        return true;
    }
}
