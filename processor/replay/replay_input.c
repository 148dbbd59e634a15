/* replay_input.c — replay's input and its loop: recording files read one after the other,
 * or a topic range; every record fed to the event-time drivers, the input's faults made
 * dead letters, the progress line kept. Not the outputs (replay.c). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "progress.h"
#include "replay_int.h"

struct replay_input {
    const char *const *paths;     /* borrowed from the conf */
    size_t paths_count;
    size_t path_index;            /* the file reader reads */
    recording_reader_t *reader;   /* owned: the open recording, or NULL */
    topic_reader_t *topic;        /* owned: the topic reader, or NULL */
    const topic_reader_conf_t *events_topic; /* borrowed: read after the profiles, or NULL */
    uint64_t bytes_total;         /* of all the recordings */
    uint64_t bytes_done;          /* of the recordings read to their end */
};

static sy_err_t input_sizes(replay_input_t *in, char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < in->paths_count; i++) {
        struct stat st;
        if (stat(in->paths[i], &st) != 0) {
            snprintf(errbuf, errbuf_size, "%s: %s", in->paths[i], strerror(errno));
            return SY_ERR_IO;
        }
        in->bytes_total += (uint64_t)st.st_size;
    }
    return SY_OK;
}

sy_err_t replay_input_open(replay_input_t **out, const replay_conf_t *conf, char *errbuf,
                           size_t errbuf_size) {
    replay_input_t *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    in->paths = conf->recordings;
    in->paths_count = conf->recordings_count;
    sy_err_t err;
    if (in->paths_count > 0) {
        err = input_sizes(in, errbuf, errbuf_size);
        if (err == SY_OK)
            err = recording_reader_open(&in->reader, in->paths[0], errbuf, errbuf_size);
    } else if (conf->profiles_topic) {
        topic_reader_conf_t profiles = *conf->topic;
        profiles.topic = conf->profiles_topic;
        profiles.partitions = NULL;
        profiles.partitions_count = 0;
        profiles.from = (topic_position_t){TOPIC_POSITION_BEGINNING, 0};
        profiles.to = (topic_position_t){TOPIC_POSITION_END, 0};
        in->events_topic = conf->topic;
        err = topic_reader_open(&in->topic, &profiles, errbuf, errbuf_size);
    } else {
        err = topic_reader_open(&in->topic, conf->topic, errbuf, errbuf_size);
    }
    if (err != SY_OK) {
        replay_input_close(in);
        return err;
    }
    *out = in;
    return SY_OK;
}

sy_err_t replay_input_checked(replay_input_t *in, char *errbuf, size_t errbuf_size) {
    assert(in);
    return in->reader ? recording_reader_checked(in->reader, errbuf, errbuf_size) : SY_OK;
}

int32_t replay_input_topic_partitions(const replay_input_t *in) {
    return in->topic ? topic_reader_topic_partitions(in->topic) : 0;
}

void replay_input_close(replay_input_t *in) {
    if (!in)
        return;
    recording_reader_close(in->reader);
    topic_reader_close(in->topic);
    free(in);
}

/* The loop's three steps — read a record, drive it, ask how much is read — have one
 * definition each, inline in replay_drive's loop (always_inline: out of line, and
 * interposable under -fPIC, they cost 30 and 58 instructions a record) and out of line
 * for replay_parallel.c: replay_int.h declares them without inline, so these definitions
 * are also the external ones (C11 6.7.4). */

__attribute__((always_inline))
inline sy_err_t replay_input_next(replay_input_t *in, recording_record_t *rec, char *errbuf,
                                  size_t errbuf_size) {
    while (in->topic) {
        sy_err_t err = topic_reader_next(in->topic, rec, errbuf, errbuf_size);
        if (err != SY_ERR_NOT_FOUND || !in->events_topic)
            return err;
        /* The profiles are read: the events topic's range next. */
        topic_reader_close(in->topic);
        in->topic = NULL;
        err = topic_reader_open(&in->topic, in->events_topic, errbuf, errbuf_size);
        in->events_topic = NULL;
        if (err != SY_OK)
            return err;
    }
    for (;;) {
        sy_err_t err = recording_reader_next(in->reader, rec, errbuf, errbuf_size);
        if (err != SY_ERR_NOT_FOUND || in->path_index + 1 >= in->paths_count)
            return err;
        uint64_t read = 0, total = 0;
        recording_reader_progress(in->reader, &read, &total);
        in->bytes_done += total;
        recording_reader_close(in->reader);
        in->reader = NULL;
        err = recording_reader_open(&in->reader, in->paths[++in->path_index], errbuf,
                                    errbuf_size);
        if (err != SY_OK)
            return err;
    }
}

__attribute__((always_inline))
inline double replay_input_done(const replay_input_t *in) {
    uint64_t read = 0, total = 0;
    if (in->topic) {
        topic_reader_progress(in->topic, &read, &total);
        return total ? (double)read / (double)total : -1.0;
    }
    recording_reader_progress(in->reader, &read, &total);
    return in->bytes_total ? (double)(in->bytes_done + read) / (double)in->bytes_total : -1.0;
}

__attribute__((always_inline))
inline sy_err_t replay_drive_record(const recording_record_t *rec, simulate_t *const *sims,
                                    size_t sims_count, replay_dead_letter_fn *dead_letter,
                                    void *ctx, replay_stats_t *stats, char *errbuf,
                                    size_t errbuf_size) {
    char reason[512]; /* not = "": that zeroes all 512 bytes for every record */
    reason[0] = '\0';
    sy_err_t first = SY_OK;
    for (size_t i = 0; i < sims_count; i++) {
        sy_err_t fault = SY_OK;
        sy_err_t err = simulate_feed_frame(sims[i], rec->partition, rec->value,
                                           rec->value_len, &fault, i ? errbuf : reason,
                                           i ? errbuf_size : sizeof reason);
        if (err != SY_OK) {
            if (i == 0)
                snprintf(errbuf, errbuf_size, "%s", reason);
            return err;
        }
        if (i == 0)
            first = fault;
    }
    if (first == SY_OK)
        return SY_OK;
    stats->dead_letters++;
    sy_dead_letter_t dl = {
        .source_topic = rec->topic ? rec->topic : "",
        .partition = rec->partition,
        .offset = rec->offset,
        .error_code = sy_err_name(first),
        .error = reason,
        .key = rec->key,
        .key_len = rec->key_len,
        .value = rec->value,
        .value_len = rec->value_len,
        .failed_at_ms = rec->timestamp_ms, /* the record's time, never the clock's */
    };
    return dead_letter ? dead_letter(ctx, &dl, errbuf, errbuf_size) : SY_OK;
}

sy_err_t replay_drive(replay_input_t *in, simulate_t *const *sims, size_t sims_count,
                      replay_dead_letter_fn *dead_letter, void *ctx, FILE *progress_out,
                      replay_stats_t *stats, char *errbuf, size_t errbuf_size) {
    progress_t progress;
    recording_record_t rec;
    sy_err_t err;
    if (progress_out)
        progress_init(&progress, progress_out, "replay");
    while ((err = replay_input_next(in, &rec, errbuf, errbuf_size)) == SY_OK) {
        stats->records++;
        err = replay_drive_record(&rec, sims, sims_count, dead_letter, ctx, stats, errbuf,
                                  errbuf_size);
        if (err != SY_OK)
            break;
        if (progress_out && progress.enabled) /* not a terminal: not asked how much is read */
            progress_update(&progress, stats->records, replay_input_done(in));
    }
    if (err == SY_ERR_NOT_FOUND)
        err = SY_OK;
    for (size_t i = 0; err == SY_OK && i < sims_count; i++)
        err = simulate_finish(sims[i], errbuf, errbuf_size);
    if (progress_out)
        progress_finish(&progress, stats->records);
    simulate_stats_get(sims[0], &stats->run);
    return err;
}
