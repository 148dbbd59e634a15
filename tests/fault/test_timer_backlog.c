/* test_timer_backlog.c — a timer index that cannot stall: 500,000 contacts through the
 * coffee email promo in event time, their entries spread over three days so that every
 * 24 h and 72 h timer falls due a few at a time while the fired ones pile up, produced to
 * `switchyard run` on a real broker. The service must commit the whole input within
 * BACKLOG_TIMEOUT_MS (a stalled index fails here with the group's progress, not a hang),
 * and its outputs (read_committed) must be `switchyard simulate`'s: per kind the count and
 * an order-free digest of every record's transcript token with its contact, and the count
 * of actions per template. Not a comparison of each contact's order of decisions. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_common.h"

#define BACKLOG_CONTACTS 500000
/* Entries every 500 ms: 500,000 contacts over ~2.9 days. The other offsets are not
 * multiples of it, so no two events share a time. */
#define BACKLOG_STEP_MS 500LL
#define BACKLOG_T0_MS 1793606400000LL /* 2026-11-02T08:00:00Z */
#define BACKLOG_HOUR_MS 3600000LL
#define BACKLOG_TIMEOUT_MS 600000
#define BACKLOG_STREAMS 4
#define BACKLOG_TEMPLATES 16

/* Each stream's time after its contact's entry (entry, first outcome, open, app open). */
static const long long offset_ms[BACKLOG_STREAMS] = {
    0, BACKLOG_HOUR_MS + 7, 2 * BACKLOG_HOUR_MS + 13, 240 * BACKLOG_HOUR_MS + 3};

/* Outputs reduced to what fits memory at this size. */
typedef struct digest {
    long counts[FAULT_KINDS];
    uint64_t sums[FAULT_KINDS]; /* sum of a hash per record: equal multisets, equal sums */
    char templates[BACKLOG_TEMPLATES][64];
    long template_counts[BACKLOG_TEMPLATES];
    transcripts_t *scratch; /* owned: one record's token at a time */
} digest_t;

static uint64_t hash_text(uint64_t h, const char *text) {
    for (; *text; text++)
        h = (h ^ (uint8_t)*text) * 0x100000001b3ull;
    h ^= h >> 33; /* spread the low bits before summing */
    return h * 0xff51afd7ed558ccdull;
}

static void digest_template(digest_t *d, const char *token) {
    char name[64];
    const char *start = strchr(token + 5, ':'); /* send:channel:template{...} */
    size_t len = start ? strcspn(start + 1, "{ ") : 0;
    snprintf(name, sizeof name, "%.*s", (int)len, start ? start + 1 : "?");
    for (int i = 0; i < BACKLOG_TEMPLATES; i++) {
        if (!d->templates[i][0])
            snprintf(d->templates[i], sizeof d->templates[i], "%s", name);
        if (strcmp(d->templates[i], name) == 0) {
            d->template_counts[i]++;
            return;
        }
    }
    cr_assert(0, "more than %d action templates", BACKLOG_TEMPLATES);
}

static void digest_add_json(digest_t *d, const char *json) {
    d->scratch->count = 0;
    transcript_add_json(d->scratch, json, NULL);
    const transcript_t *t = &d->scratch->items[0];
    int kind = strncmp(t->text, "send:", 5) == 0     ? FAULT_ACTIONS
               : strncmp(t->text, "update:", 7) == 0 ? FAULT_UPDATES
                                                     : FAULT_DECISIONS;
    d->counts[kind]++;
    d->sums[kind] += hash_text(hash_text(0xcbf29ce484222325ull, t->contact), t->text);
    if (kind == FAULT_ACTIONS)
        digest_template(d, t->text);
}

static void digest_init(digest_t *d) {
    memset(d, 0, sizeof *d);
    d->scratch = calloc(1, sizeof *d->scratch);
    cr_assert_not_null(d->scratch, "out of memory");
}

/* Line of stream s (entry, first outcome, open, app open ten days later) for contact i,
 * or 0 when that contact has none in that stream. */
static int stream_line(int s, int i, char *line, size_t size) {
    static const char *const first[5] = {"email.delivered", "email.delivered",
                                          "email.bounced", "email.blocked", NULL};
    long long at = BACKLOG_T0_MS + offset_ms[s] + i * BACKLOG_STEP_MS;
    if ((s == 1 && !first[i % 5]) || (s == 2 && i % 5 != 0))
        return 0;
    if (s == 0 || s == 3)
        snprintf(line, size,
                 "{\"event_id\":\"e%d-%s\",\"contact_id\":\"c%d\",\"time\":%lld,"
                 "\"type\":\"custom.%s\"}",
                 i, s ? "app" : "entry", i, at, s ? "app_open" : "promo_eligible");
    else
        snprintf(line, size,
                 "{\"event_id\":\"e%d-%s\",\"contact_id\":\"c%d\",\"time\":%lld,"
                 "\"type\":\"%s\",\"journey_id\":\"coffee_email_promo\","
                 "\"message\":\"promo_email\"%s}",
                 i, s == 1 ? "first" : "open", i, at, s == 1 ? first[i % 5] : "email.opened",
                 s == 1 && i % 5 == 2 ? ",\"bounce\":\"hard\"" : "");
    return 1;
}

/* The four streams merged in time order into dir/events.jsonl and w's lines. */
static void workload_write(fault_workload_t *w, const char *dir, int contacts) {
    char line[512];
    int next[BACKLOG_STREAMS] = {0};
    memset(w, 0, sizeof *w);
    w->contacts = contacts;
    w->lines = calloc(4 * (size_t)contacts, sizeof *w->lines);
    cr_assert_not_null(w->lines, "out of memory");
    snprintf(w->path, sizeof w->path, "%s/events.jsonl", dir);
    FILE *f = fopen(w->path, "w");
    cr_assert_not_null(f, "create %s", w->path);
    for (;;) {
        int best = -1;
        long long best_at = 0;
        for (int s = 0; s < BACKLOG_STREAMS; s++) {
            long long at = offset_ms[s] + next[s] * BACKLOG_STEP_MS;
            if (next[s] < contacts && (best < 0 || at < best_at)) {
                best = s;
                best_at = at;
            }
        }
        if (best < 0)
            break;
        if (stream_line(best, next[best]++, line, sizeof line)) {
            w->lines[w->count] = strdup(line);
            cr_assert_not_null(w->lines[w->count++], "out of memory");
            fprintf(f, "%s\n", line);
        }
    }
    cr_assert(eq(int, fclose(f), 0), "write %s", w->path);
}

static void simulate_digest(const fault_workload_t *w, digest_t *want) {
    char command[1024];
    static char line[8192];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s 2>/dev/null",
             SWITCHYARD_BIN, SY_SOURCE_ROOT, w->path);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        digest_add_json(want, line);
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
}

static void on_output(void *ctx, const char *json) { digest_add_json(ctx, json); }

static void service_digest(const service_t *svc, digest_t *got) {
    char email[SERVICE_TOPIC_BYTES + 16], push[SERVICE_TOPIC_BYTES + 16];
    long undecodable = 0;
    const char *topics[] = {svc->decisions, service_action_topic(svc, "email", email, sizeof email),
                            service_action_topic(svc, "push", push, sizeof push),
                            svc->contact_updates};
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        long n = harness_consume_json(harness_bootstrap(), topics[i], "read_committed", -1,
                                      BACKLOG_TIMEOUT_MS, on_output, got, &undecodable);
        cr_assert_geq(n, 0, "could not read %s", topics[i]);
    }
    cr_expect(eq(long, undecodable, 0), "undecodable output records: %ld", undecodable);
}

static void digests_compare(const digest_t *want, const digest_t *got) {
    static const char *const names[FAULT_KINDS] = {"decisions", "actions", "contact updates"};
    for (int k = 0; k < FAULT_KINDS; k++) {
        printf("%s: reference %ld (digest %016llx), service %ld (digest %016llx)\n", names[k],
               want->counts[k], (unsigned long long)want->sums[k], got->counts[k],
               (unsigned long long)got->sums[k]);
        cr_expect(eq(long, got->counts[k], want->counts[k]), "%s: count differs", names[k]);
        cr_expect(eq(u64, got->sums[k], want->sums[k]), "%s: records differ", names[k]);
    }
    for (int i = 0; i < BACKLOG_TEMPLATES && want->templates[i][0]; i++) {
        long n = 0;
        for (int j = 0; j < BACKLOG_TEMPLATES; j++)
            if (strcmp(got->templates[j], want->templates[i]) == 0)
                n = got->template_counts[j];
        printf("  actions of template %s: reference %ld, service %ld\n", want->templates[i],
               want->template_counts[i], n);
        cr_expect(eq(long, n, want->template_counts[i]), "template %s", want->templates[i]);
    }
}

Test(fault_timer_backlog, half_a_million_contacts_drain_with_every_timer_due,
     .timeout = 1500) {
    service_t svc;
    fault_workload_t w;
    digest_t want, got;
    char log[256];
    long long t0 = sy_clock_mono_ms();
    service_prepare(&svc, "fault-timer-backlog");
    workload_write(&w, svc.dir, BACKLOG_CONTACTS);
    digest_init(&want);
    digest_init(&got);
    simulate_digest(&w, &want);
    printf("workload: %d contacts, %zu events; reference in %.1f s\n", BACKLOG_CONTACTS,
           w.count, (sy_clock_mono_ms() - t0) / 1000.0);
    fflush(stdout);
    long long t1 = sy_clock_mono_ms();
    fault_produce_lines(&svc, &w, 0, w.count);
    printf("produced in %.1f s\n", (sy_clock_mono_ms() - t1) / 1000.0);
    snprintf(log, sizeof log, "%s/run.log", svc.dir);
    long long t2 = sy_clock_mono_ms();
    fault_start(&svc, log, 0);
    int status = 0;
    int caught_up = fault_wait_caught_up(&svc, BACKLOG_TIMEOUT_MS, &status);
    if (caught_up != 1)
        fault_print_log_problems(log, 8);
    cr_assert(eq(int, caught_up, 1), "the service did not consume the %zu events within %d s "
              "(%s): a stalled timer index", w.count, BACKLOG_TIMEOUT_MS / 1000,
              caught_up < 0 ? "it exited" : "timed out");
    printf("the service drained %zu events in %.1f s\n", w.count,
           (sy_clock_mono_ms() - t2) / 1000.0);
    status = service_stop(&svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_digest(&svc, &got);
    digests_compare(&want, &got);
    printf("test_timer_backlog: %.1f s in all\n", (sy_clock_mono_ms() - t0) / 1000.0);
    free(want.scratch);
    free(got.scratch);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
