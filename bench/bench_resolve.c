/* bench_resolve.c — the cost of reading events through a schema registry: decoding N
 * engagement events by the hand-written fast path (embedded id), through a resolver whose
 * writer schema equals the embedded one (a relabel and a copy), and through Avro schema
 * resolution of an evolved writer schema (one optional field added). Prints events per CPU
 * second of each (best of three passes). Not a test, and no registry or Kafka: the writer's
 * schema is built here.
 *   bench_resolve [N]    (default 200000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "codec.h"

#define BENCH_RESOLVE_EVENTS_DEFAULT 200000
/* The frames are encoded once up front; each is at most this long. */
#define BENCH_RESOLVE_FRAME_BYTES 512

/* The embedded EngagementEvent with a field added at the end, as an upstream would. */
static char *evolved_schema(void) {
    const char *text = codec_schema_json(SY_SCHEMA_ENGAGEMENT_EVENT);
    const char *end = strrchr(text, ']'); /* the end of "fields" */
    const char *field = ", {\"name\": \"campaign\", \"type\": [\"null\", \"string\"], "
                        "\"default\": null}";
    size_t size = strlen(text) + strlen(field) + 1;
    char *out = malloc(size);
    if (out != NULL)
        snprintf(out, size, "%.*s%s%s", (int)(end - text), text, field, end);
    return out;
}

/* Frames of n events; evolved: with the added field's value after the embedded body. */
static char *frames_make(codec_t *codec, size_t n, bool evolved, size_t *lens) {
    char *frames = malloc(n * BENCH_RESOLVE_FRAME_BYTES), ids[2][32];
    sy_kv_t prop = {"store", "Leeds"};
    for (size_t i = 0; frames != NULL && i < n; i++) {
        snprintf(ids[0], sizeof ids[0], "ev-%zu", i);
        snprintf(ids[1], sizeof ids[1], "contact-%zu", i % 1000);
        sy_event_t ev = {.event_id = ids[0], .contact_id = ids[1],
                         .occurred_at_ms = 1793606400000 + (int64_t)i,
                         .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                         .name = "store_visit", .bounce = SY_BOUNCE_NONE, .props_count = 1};
        ev.props[0] = prop;
        const void *frame;
        size_t len;
        if (codec_encode_event(codec, &ev, &frame, &len, NULL, 0) != SY_OK)
            abort();
        char *at = frames + i * BENCH_RESOLVE_FRAME_BYTES;
        memcpy(at, frame, len);
        if (evolved) /* branch 1 (zigzag 2), then "autumn" (length zigzag 12) */
            len += (size_t)snprintf(at + len, BENCH_RESOLVE_FRAME_BYTES - len,
                                    "\x02\x0c" "autumn");
        lens[i] = len;
    }
    return frames;
}

/* Decode every frame, through res when not NULL; events per CPU second. */
static double bench_decode_once(codec_t *codec, codec_resolver_t *res, const char *frames,
                           const size_t *lens, size_t n) {
    sy_event_t *ev = malloc(sizeof *ev);
    char errbuf[256];
    double started = bench_cpu_seconds_now();
    for (size_t i = 0; i < n; i++) {
        const void *frame = frames + i * BENCH_RESOLVE_FRAME_BYTES;
        size_t len = lens[i];
        if ((res != NULL && codec_resolve_frame(res, frame, len, &frame, &len, errbuf,
                                                sizeof errbuf) != SY_OK) ||
            codec_decode_event(codec, frame, len, ev, errbuf, sizeof errbuf) != SY_OK) {
            fprintf(stderr, "bench_resolve: event %zu: %s\n", i, errbuf);
            exit(1);
        }
    }
    double cpu = bench_cpu_seconds_now() - started;
    free(ev);
    return (double)n / (cpu > 0 ? cpu : 1e-9);
}

/* The best of three passes: the machine is shared, and a pass only gets slower by it. */
static double bench_decode(codec_t *codec, codec_resolver_t *res, const char *frames,
                           const size_t *lens, size_t n) {
    double best = 0;
    for (int pass = 0; pass < 3; pass++) {
        double rate = bench_decode_once(codec, res, frames, lens, n);
        best = rate > best ? rate : best;
    }
    return best;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : BENCH_RESOLVE_EVENTS_DEFAULT;
    codec_t *codec;
    codec_resolver_t *same, *evolved;
    char errbuf[256], *schema = evolved_schema();
    const char *embedded = codec_schema_json(SY_SCHEMA_ENGAGEMENT_EVENT);
    size_t *lens = malloc(n * sizeof *lens), *lens_evolved = malloc(n * sizeof *lens);
    if (n == 0 || schema == NULL || lens == NULL || lens_evolved == NULL ||
        codec_open(&codec, errbuf, sizeof errbuf) != SY_OK ||
        codec_resolver_new(codec, SY_SCHEMA_ENGAGEMENT_EVENT, embedded, strlen(embedded),
                           &same, errbuf, sizeof errbuf) != SY_OK ||
        codec_resolver_new(codec, SY_SCHEMA_ENGAGEMENT_EVENT, schema, strlen(schema),
                           &evolved, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "bench_resolve: %s\n", errbuf);
        return 1;
    }
    char *frames = frames_make(codec, n, false, lens);
    char *frames_evolved = frames_make(codec, n, true, lens_evolved);
    (void)bench_decode(codec, NULL, frames, lens, n); /* warm up: pages, caches */
    printf("%-44s %14s\n", "path (N events)", "events/cpu-s");
    printf("%-44s %14.0f\n", "fast path (embedded id)", bench_decode(codec, NULL, frames,
                                                                     lens, n));
    printf("%-44s %14.0f\n", "registry id, writer = embedded schema",
           bench_decode(codec, same, frames, lens, n));
    printf("%-44s %14.0f\n", "registry id, evolved writer (resolution)",
           bench_decode(codec, evolved, frames_evolved, lens_evolved, n));
    printf("N = %zu\n", n);
    codec_resolver_free(same);
    codec_resolver_free(evolved);
    codec_close(codec);
    free(frames);
    free(frames_evolved);
    free(lens);
    free(lens_evolved);
    free(schema);
    return 0;
}
