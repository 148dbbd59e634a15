/* seed_corpus.c — writes seeds of two fuzz corpora: one valid wire frame of each of the
 * six schemas into CODEC_DIR (tests/fuzz/corpus/codec), and a deflate recording of those
 * frames into RECORDING_DIR (tests/fuzz/corpus/recording). A tool, not a test: run it by
 * hand when a schema or the recording format changes.
 * Usage: fuzz_seed_corpus CODEC_DIR RECORDING_DIR */
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "recording.h"

/* The frames written, for the recording. */
static struct {
    uint8_t bytes[6][256];
    size_t len[6];
    size_t count;
} seed_frames;

static int seed_write(const char *dir, const char *name, sy_err_t err, const void *frame,
                      size_t len, const char *errbuf) {
    char path[4096];
    if (err != SY_OK) {
        fprintf(stderr, "fuzz_seed_corpus: %s: %s\n", name, errbuf);
        return 1;
    }
    if (seed_frames.count < 6 && len <= sizeof seed_frames.bytes[0]) {
        memcpy(seed_frames.bytes[seed_frames.count], frame, len);
        seed_frames.len[seed_frames.count++] = len;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(frame, 1, len, file) != len || fclose(file) != 0) {
        fprintf(stderr, "fuzz_seed_corpus: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

/* An event, a profile update and a dead letter: the records that come from outside. */
static int seed_inputs(codec_t *c, const char *dir) {
    char eb[256];
    const void *f = NULL;
    size_t n = 0;
    sy_err_t err;
    int failed = 0;
    sy_event_t ev = {.event_id = "e1-op", .contact_id = "e1", .occurred_at_ms = 1793606400000,
                     .channel = SY_CHANNEL_EMAIL, .type = SY_EVENT_CLICKED,
                     .message_id = "a-1", .link = "https://example.com/offer",
                     .bounce = SY_BOUNCE_NONE, .has_value = true, .value = 12.5,
                     .props_count = 1, .props = {{"store", "Lyon"}}};
    err = codec_encode_event(c, &ev, &f, &n, eb, 256);
    failed |= seed_write(dir, "engagement_event", err, f, n, eb);
    sy_profile_update_t pu = {.contact_id = "e1", .updated_at_ms = 1793606400000,
                              .set_count = 3, .unset_count = 1, .unset = {"old"},
                              .set = {{"city", {.kind = SY_VALUE_STRING, .u.s = "Lyon"}},
                                      {"score", {.kind = SY_VALUE_DOUBLE, .u.d = 0.5}},
                                      {"vip", {.kind = SY_VALUE_BOOL, .u.b = true}}}};
    err = codec_encode_profile_update(c, &pu, &f, &n, eb, 256);
    failed |= seed_write(dir, "profile_update", err, f, n, eb);
    sy_dead_letter_t dl = {.source_topic = "events", .partition = 3, .offset = 42,
                           .error_code = "MALFORMED", .error = "bad union branch",
                           .key = "e1", .key_len = 2, .value = "\0\0\0\0\1x", .value_len = 6,
                           .failed_at_ms = 1793606400000};
    err = codec_encode_dead_letter(c, &dl, &f, &n, eb, 256);
    failed |= seed_write(dir, "dead_letter", err, f, n, eb);
    return failed;
}

/* An action, a decision and a contact update: the records the engine writes. */
static int seed_outputs(codec_t *c, const char *dir) {
    char eb[256];
    const void *f = NULL;
    size_t n = 0;
    sy_err_t err;
    int failed = 0;
    sy_action_t ac = {.action_id = "a-1", .contact_id = "e1", .channel = SY_CHANNEL_SMS,
                      .template_id = "promo", .not_before_ms = 1793606400000,
                      .journey_id = "coffee", .journey_version = 2, .node_id = "send",
                      .occurrence = 1, .tracking_number = "+33100000000", .params_count = 1,
                      .params = {{"first_name", "Ada"}}, .tracking_display = "01 00 00 00 00",
                      .tracking_tel = "tel:+33100000000", .tracking_cta = "button"};
    err = codec_encode_action(c, &ac, &f, &n, eb, 256);
    failed |= seed_write(dir, "action_command", err, f, n, eb);
    sy_decision_t de = {.contact_id = "e1", .journey_id = "coffee", .journey_version = 2,
                        .from_node = "branch", .to_node = "thanks", .path = "opened",
                        .cause = SY_CAUSE_EVENT, .cause_event_id = "e1-op",
                        .decided_at_ms = 1793606400000};
    err = codec_encode_decision(c, &de, &f, &n, eb, 256);
    failed |= seed_write(dir, "routing_decision", err, f, n, eb);
    sy_contact_update_t cu = {.contact_id = "e1", .journey_id = "coffee",
                              .journey_version = 2, .node_id = "tag",
                              .op = SY_UPDATE_SET_ATTRIBUTE, .name = "tier", .value = "gold",
                              .at_ms = 1793606400000};
    err = codec_encode_contact_update(c, &cu, &f, &n, eb, 256);
    failed |= seed_write(dir, "contact_update", err, f, n, eb);
    return failed;
}

/* The frames as records of a deflate recording, in dir/seed-deflate.avro. */
static int seed_recording(const char *dir) {
    char errbuf[256], path[4096];
    recording_writer_t *writer = NULL;
    snprintf(path, sizeof path, "%s/seed-deflate.avro", dir);
    sy_err_t err = recording_writer_open(&writer, path, RECORDING_CODEC_DEFLATE, errbuf,
                                         sizeof errbuf);
    for (size_t i = 0; err == SY_OK && i < seed_frames.count; i++) {
        recording_record_t rec = {.topic = "events", .partition = (int32_t)i,
                                  .offset = (int64_t)i, .timestamp_ms = 1793606400000,
                                  .key = i % 2 ? "e1" : NULL, .key_len = i % 2 ? 2 : 0,
                                  .value = seed_frames.bytes[i],
                                  .value_len = seed_frames.len[i]};
        err = recording_writer_append(writer, &rec, errbuf, sizeof errbuf);
    }
    if (writer != NULL) {
        sy_err_t closed = recording_writer_close(writer, errbuf, sizeof errbuf);
        err = err == SY_OK ? closed : err;
    }
    if (err != SY_OK)
        fprintf(stderr, "fuzz_seed_corpus: %s: %s\n", path, errbuf);
    return err != SY_OK;
}

int main(int argc, char **argv) {
    char errbuf[256];
    codec_t *codec = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_seed_corpus CODEC_DIR RECORDING_DIR\n");
        return 2;
    }
    if (codec_open(&codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "fuzz_seed_corpus: %s\n", errbuf);
        return 1;
    }
    int failed = seed_inputs(codec, argv[1]) | seed_outputs(codec, argv[1]);
    codec_close(codec);
    failed |= seed_recording(argv[2]);
    return failed;
}
