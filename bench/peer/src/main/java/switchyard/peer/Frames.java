/* Frames.java — switchyard's wire framing (docs/records.md) with Apache Avro's generic
 * reader and writer: a zero byte, the schema id big-endian, the Avro body. The schemas are
 * the tree's schemas/*.avsc, packed into the jar at build time, under switchyard's fixed ids
 * (no schema registry). Not a codec with switchyard's checks: a body Avro reads is taken. */
package switchyard.peer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

final class Frames {
    static final int ENGAGEMENT_EVENT = 1;
    static final int PROFILE_UPDATE = 2;
    static final int ACTION_COMMAND = 8; // version 2 (schemas/action_command.avsc)
    static final int ROUTING_DECISION = 4;
    static final int CONTACT_UPDATE = 5;

    final Schema event = load("engagement_event.avsc");
    final Schema profile = load("profile_update.avsc");
    final Schema action = load("action_command.avsc");
    final Schema decision = load("routing_decision.avsc");
    final Schema update = load("contact_update.avsc");

    private final GenericDatumReader<GenericRecord> eventReader =
        new GenericDatumReader<>(event);
    private final GenericDatumReader<GenericRecord> profileReader =
        new GenericDatumReader<>(profile);
    private final GenericDatumWriter<GenericRecord> actionWriter =
        new GenericDatumWriter<>(action);
    private final GenericDatumWriter<GenericRecord> decisionWriter =
        new GenericDatumWriter<>(decision);
    private final GenericDatumWriter<GenericRecord> updateWriter =
        new GenericDatumWriter<>(update);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;

    private static Schema load(String file) {
        try (InputStream in = Frames.class.getResourceAsStream("/schemas/" + file)) {
            if (in == null)
                throw new IllegalStateException("schema " + file + " missing from the jar");
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("schema " + file, e);
        }
    }

    /* The body of frame as a record of schema id `id`; null when the frame is not one
     * (too short, another magic byte or schema id, or a body Avro cannot read). */
    GenericRecord read(byte[] frame, int id) {
        if (frame == null || frame.length < 5 || frame[0] != 0)
            return null;
        int got = ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16)
            | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
        if (got != id)
            return null;
        decoder = DecoderFactory.get().binaryDecoder(frame, 5, frame.length - 5, decoder);
        try {
            GenericRecord r = (id == ENGAGEMENT_EVENT ? eventReader : profileReader)
                .read(null, decoder);
            return decoder.isEnd() ? r : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    byte[] writeAction(GenericRecord r) { return write(actionWriter, ACTION_COMMAND, r); }

    byte[] writeDecision(GenericRecord r) { return write(decisionWriter, ROUTING_DECISION, r); }

    byte[] writeUpdate(GenericRecord r) { return write(updateWriter, CONTACT_UPDATE, r); }

    private byte[] write(GenericDatumWriter<GenericRecord> writer, int id, GenericRecord r) {
        out.reset();
        out.write(0);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        try {
            writer.write(r, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a schema " + id + " record", e);
        }
        return out.toByteArray();
    }
}
