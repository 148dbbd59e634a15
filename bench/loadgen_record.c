/* loadgen_record.c — the generator's records as Kafka records: encoded frames, and the
 * `loadgen recording` file writer. Not a Kafka client (loadgen_kafka.c is). */
#include "loadgen.h"

#include <stdlib.h>
#include <string.h>

#include "simulate.h"

sy_err_t loadgen_encode(codec_t *codec, const loadgen_item_t *item, const void **frame,
                        size_t *frame_len, char *errbuf, size_t errbuf_size) {
    if (item->origin == LOADGEN_PROFILE)
        return codec_encode_profile_update(codec, item->profile, frame, frame_len, errbuf,
                                           errbuf_size);
    return codec_encode_event(codec, item->event, frame, frame_len, errbuf, errbuf_size);
}

/* Append gen's records to writer; offsets holds 2 x partitions counters. */
static sy_err_t record_all(loadgen_t *gen, const loadgen_record_conf_t *conf, codec_t *codec,
                           recording_writer_t *writer, int64_t *offsets, char *errbuf,
                           size_t errbuf_size) {
    loadgen_item_t item;
    while (loadgen_next(gen, &item)) {
        const void *frame;
        size_t len;
        sy_err_t err = loadgen_encode(codec, &item, &frame, &len, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        int profile = item.origin == LOADGEN_PROFILE;
        int32_t partition = simulate_partition(item.contact_id, conf->partitions);
        recording_record_t rec = {
            .topic = profile ? conf->profiles_topic : conf->events_topic,
            .partition = partition,
            .offset = offsets[profile * conf->partitions + partition]++,
            .timestamp_ms = item.time_ms,
            .key = item.contact_id,
            .key_len = strlen(item.contact_id),
            .value = frame,
            .value_len = len,
        };
        if ((err = recording_writer_append(writer, &rec, errbuf, errbuf_size)) != SY_OK)
            return err;
    }
    return SY_OK;
}

sy_err_t loadgen_record(loadgen_t *gen, const loadgen_record_conf_t *conf, uint64_t *records,
                        char *errbuf, size_t errbuf_size) {
    codec_t *codec = NULL;
    recording_writer_t *writer = NULL;
    int64_t *offsets = NULL;
    sy_err_t err;
    if (conf->partitions < 1 || conf->partitions > LOADGEN_PARTITIONS_MAX) {
        snprintf(errbuf, errbuf_size, "partitions %d: want 1 to %d", (int)conf->partitions,
                 LOADGEN_PARTITIONS_MAX);
        return SY_ERR_INVALID_ARG;
    }
    offsets = calloc(2 * (size_t)conf->partitions, sizeof *offsets);
    if (!offsets) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    if ((err = codec_open(&codec, errbuf, errbuf_size)) != SY_OK ||
        (err = recording_writer_open(&writer, conf->path, conf->codec, errbuf, errbuf_size)) !=
            SY_OK ||
        (err = record_all(gen, conf, codec, writer, offsets, errbuf, errbuf_size)) != SY_OK)
        goto fail;
    uint64_t count = recording_writer_count(writer);
    err = recording_writer_close(writer, errbuf, errbuf_size);
    writer = NULL;
    if (err != SY_OK)
        goto fail;
    *records = count;
fail:
    if (writer) {
        char ignored[256];
        recording_writer_close(writer, ignored, sizeof ignored);
    }
    codec_close(codec);
    free(offsets);
    return err;
}
