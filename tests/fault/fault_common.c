/* fault_common.c — the fault tests' workload, reference, service control and comparison
 * (see fault_common.h). */
#include "fault_common.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "event_json.h"

#define FAULT_T0_MS 1793606400000LL /* 2026-11-02T08:00:00Z */
#define FAULT_HOUR_MS 3600000LL
#define FAULT_LINE_BYTES 8192
#define FAULT_READ_TIMEOUT_MS 180000
#define FAULT_ASSIGN_TIMEOUT_MS 60000
#define FAULT_SHOW_MAX 8

static const char *const kind_names[FAULT_KINDS] = {"RoutingDecision", "ActionCommand",
                                                    "ContactUpdate"};

/* ------------------------------------------------------------------------------------- */
/* outputs */

void fault_outputs_init(fault_outputs_t *o, int contacts) {
    memset(o, 0, sizeof *o);
    o->contacts = contacts;
    o->shard_count = (size_t)contacts / TRANSCRIPT_CONTACTS_MAX + 1;
    for (int k = 0; k < FAULT_KINDS; k++) {
        o->shards[k] = calloc(o->shard_count, sizeof *o->shards[k]);
        cr_assert_not_null(o->shards[k], "out of memory");
    }
    o->ids_cap = 4 * (size_t)contacts + 16;
    o->action_ids = calloc(o->ids_cap, sizeof *o->action_ids);
    cr_assert_not_null(o->action_ids, "out of memory");
}

void fault_outputs_free(fault_outputs_t *o) {
    for (int k = 0; k < FAULT_KINDS; k++)
        free(o->shards[k]);
    free(o->action_ids);
    memset(o, 0, sizeof *o);
}

static const char *json_str(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

/* The shard of a contact id "c<index>", or -1 for a contact outside the workload. */
static long contact_shard(const fault_outputs_t *o, const char *contact) {
    char *end;
    if (!contact || contact[0] != 'c')
        return -1;
    long index = strtol(contact + 1, &end, 10);
    if (*end != '\0' || index < 0)
        return -1;
    long shard = index / TRANSCRIPT_CONTACTS_MAX;
    return shard < (long)o->shard_count ? shard : -1;
}

void fault_outputs_add_json(fault_outputs_t *o, const char *json) {
    json_object *obj = json_tokener_parse(json);
    cr_assert_not_null(obj, "output is not JSON: %s", json);
    const char *schema = json_str(obj, "schema");
    long shard = contact_shard(o, json_str(obj, "contact_id"));
    int kind = -1;
    for (int k = 0; k < FAULT_KINDS; k++)
        if (schema && strcmp(schema, kind_names[k]) == 0)
            kind = k;
    if (kind < 0 || shard < 0) {
        o->foreign++;
        json_object_put(obj);
        return;
    }
    o->counts[kind]++;
    transcript_add_json(&o->shards[kind][shard], json, kind_names[kind]);
    if (kind == FAULT_ACTIONS) {
        const char *id = json_str(obj, "action_id");
        if (o->ids_count == o->ids_cap) {
            o->ids_cap *= 2;
            o->action_ids = realloc(o->action_ids, o->ids_cap * sizeof *o->action_ids);
            cr_assert_not_null(o->action_ids, "out of memory");
        }
        snprintf(o->action_ids[o->ids_count++], FAULT_ID_BYTES, "%s", id ? id : "(none)");
    }
    json_object_put(obj);
}

/* ------------------------------------------------------------------------------------- */
/* workload */

static void workload_add(fault_workload_t *w, FILE *f, const char *line) {
    w->lines[w->count] = strdup(line);
    cr_assert_not_null(w->lines[w->count], "out of memory");
    w->count++;
    cr_assert_gt(fprintf(f, "%s\n", line), 0, "write %s", w->path);
}

/* One engagement event on contact i's promo email. */
static void engagement_line(char *line, size_t size, int i, const char *what, long long at,
                            const char *type, const char *extra) {
    snprintf(line, size,
             "{\"event_id\":\"e%04d-%s\",\"contact_id\":\"c%04d\",\"time\":%lld,"
             "\"type\":\"%s\",\"journey_id\":\"coffee_email_promo\","
             "\"message\":\"promo_email\"%s}",
             i, what, i, at, type, extra);
}

void fault_workload_write(fault_workload_t *w, const char *dir, int contacts) {
    char line[512];
    memset(w, 0, sizeof *w);
    w->contacts = contacts;
    w->lines = calloc(4 * (size_t)contacts, sizeof *w->lines);
    cr_assert_not_null(w->lines, "out of memory");
    snprintf(w->path, sizeof w->path, "%s/events.jsonl", dir);
    FILE *f = fopen(w->path, "w");
    cr_assert_not_null(f, "create %s", w->path);
    fprintf(f, "# fault-test workload: %d contacts through coffee_email_promo\n", contacts);
    for (int i = 0; i < contacts; i++) {
        snprintf(line, sizeof line,
                 "{\"event_id\":\"e%04d-entry\",\"contact_id\":\"c%04d\",\"time\":%lld,"
                 "\"type\":\"custom.promo_eligible\"}",
                 i, i, FAULT_T0_MS + i * 100LL);
        workload_add(w, f, line);
    }
    /* First outcome an hour after entry: delivered (opened, delivered only), bounced,
     * blocked; nothing for the silent fifth. */
    static const char *const first[5] = {"email.delivered", "email.delivered",
                                          "email.bounced", "email.blocked", NULL};
    for (int i = 0; i < contacts; i++) {
        if (!first[i % 5])
            continue;
        engagement_line(line, sizeof line, i, "first", FAULT_T0_MS + FAULT_HOUR_MS + i * 100LL,
                        first[i % 5], i % 5 == 2 ? ",\"bounce\":\"hard\"" : "");
        workload_add(w, f, line);
    }
    for (int i = 0; i < contacts; i += 5) {
        engagement_line(line, sizeof line, i, "open", FAULT_T0_MS + 2 * FAULT_HOUR_MS + i * 100LL,
                        "email.opened", "");
        workload_add(w, f, line);
    }
    for (int i = 0; i < contacts; i++) {
        snprintf(line, sizeof line,
                 "{\"event_id\":\"e%04d-app\",\"contact_id\":\"c%04d\",\"time\":%lld,"
                 "\"type\":\"custom.app_open\"}",
                 i, i, FAULT_T0_MS + 240 * FAULT_HOUR_MS + i * 100LL);
        workload_add(w, f, line);
    }
    cr_assert(eq(int, fclose(f), 0), "write %s", w->path);
}

void fault_workload_free(fault_workload_t *w) {
    for (size_t i = 0; i < w->count; i++)
        free(w->lines[i]);
    free(w->lines);
    memset(w, 0, sizeof *w);
}

void fault_simulate_journeys(const fault_workload_t *w, const char *journeys_dir,
                             const char *options, fault_outputs_t *want) {
    char command[1024];
    static char line[FAULT_LINE_BYTES];
    snprintf(command, sizeof command, "%s simulate --journeys %s --events %s %s 2>/dev/null",
             SWITCHYARD_BIN, journeys_dir, w->path, options ? options : "");
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        fault_outputs_add_json(want, line);
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
    printf("reference (switchyard simulate): %zu events -> %ld decisions, %ld actions, "
           "%ld contact updates\n",
           w->count, want->counts[FAULT_DECISIONS], want->counts[FAULT_ACTIONS],
           want->counts[FAULT_UPDATES]);
    fflush(stdout);
}

void fault_simulate(const fault_workload_t *w, fault_outputs_t *want) {
    fault_simulate_journeys(w, SY_SOURCE_ROOT "/examples/journeys", NULL, want);
}

void fault_produce_lines(const service_t *svc, const fault_workload_t *w, size_t from,
                         size_t to) {
    char errbuf[512] = "";
    event_json_t *parser = NULL;
    codec_t *codec = NULL;
    harness_producer_t *p = NULL;
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "codec: %s", errbuf);
    cr_assert(eq(int, event_json_open(&parser, w->path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, harness_producer_new(&p, harness_bootstrap(), NULL, errbuf, sizeof errbuf),
              SY_OK), "producer: %s", errbuf);
    for (size_t i = from; i < to && i < w->count; i++) {
        event_json_line_t parsed;
        const void *frame = NULL;
        size_t len = 0;
        sy_err_t err = event_json_parse(parser, w->lines[i], strlen(w->lines[i]),
                                        (long)i + 1, &parsed, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "%s", errbuf);
        cr_assert(eq(int, parsed.kind, EVENT_JSON_EVENT), "line %zu is not an event", i);
        err = codec_encode_event(codec, parsed.event, &frame, &len, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "encode line %zu: %s", i, errbuf);
        const char *key = parsed.event->contact_id;
        cr_assert(eq(int, harness_produce(p, svc->events, key, strlen(key), frame, len), SY_OK),
                  "produce line %zu", i);
    }
    cr_assert(eq(int, harness_producer_flush_close(p, 60000, errbuf, sizeof errbuf), SY_OK),
              "flush: %s", errbuf);
    event_json_close(parser);
    codec_close(codec);
}

/* ------------------------------------------------------------------------------------- */
/* the service process */

unsigned fault_seed_from_env(void) {
    const char *text = getenv("SWITCHYARD_FAULT_SEED");
    return text ? (unsigned)strtoul(text, NULL, 10) : (unsigned)sy_clock_wall_ms();
}

void fault_config_set(const service_t *svc, const char *key, const char *value) {
    char text[8192], out[8192], tmp[256];
    size_t used = 0, keylen = strlen(key);
    int replaced = 0;
    FILE *f = fopen(svc->config_path, "r");
    cr_assert_not_null(f, "open %s", svc->config_path);
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    out[0] = '\0';
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int same = strncmp(line, key, keylen) == 0 &&
                   (line[keylen] == ' ' || line[keylen] == '=');
        if (same) {
            used += (size_t)snprintf(out + used, sizeof out - used, "%s = %s\n", key, value);
            replaced = 1;
        } else {
            used += (size_t)snprintf(out + used, sizeof out - used, "%s\n", line);
        }
        cr_assert_lt(used, sizeof out - 256, "config too long");
    }
    if (!replaced)
        used += (size_t)snprintf(out + used, sizeof out - used, "%s = %s\n", key, value);
    snprintf(tmp, sizeof tmp, "%s.tmp~", svc->config_path);
    cr_assert(eq(int, text_file_write(tmp, out), 0), "write %s", tmp);
    cr_assert(eq(int, rename(tmp, svc->config_path), 0), "rename %s", tmp);
}

void fault_config_fast_rejoin(const service_t *svc) {
    fault_config_set(svc, "kafka.session.timeout.ms", "6000");
    fault_config_set(svc, "kafka.heartbeat.interval.ms", "1000");
}

void fault_start(service_t *svc, const char *log_path, long long fsize_limit) {
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert(ne(int, pid, -1), "fork: %s", strerror(errno));
    if (pid == 0) {
        child_bind_to_parent(parent); /* a failed assertion stops the service too */
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        close(fd);
        if (fsize_limit > 0) {
            struct rlimit lim = {.rlim_cur = (rlim_t)fsize_limit,
                                 .rlim_max = (rlim_t)fsize_limit};
            signal(SIGXFSZ, SIG_IGN); /* ignored stays ignored across exec */
            if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
                _exit(127);
        }
        char *argv[] = {SWITCHYARD_BIN, "run", "--config", svc->config_path, NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    svc->pid = pid;
}

int fault_alive(service_t *svc, int *exit_status) {
    int status = 0;
    if (svc->pid <= 0)
        return 0;
    pid_t r = waitpid(svc->pid, &status, WNOHANG);
    if (r == 0)
        return 1;
    if (exit_status)
        *exit_status = status;
    svc->pid = 0;
    return 0;
}

int fault_file_contains(const char *path, const char *needle) {
    static char line[FAULT_LINE_BYTES];
    int found = 0;
    FILE *f = fopen(path, "r");
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return found;
}

long fault_start_and_wait_assigned(service_t *svc, const char *log_path, const char *what) {
    int status = 0;
    fault_start(svc, log_path, 0);
    long waited = fault_wait_log(svc, log_path, "state restored; processing",
                                 FAULT_ASSIGN_TIMEOUT_MS, &status);
    if (waited < 0) {
        printf("%s: no partitions within %d s (%s); log %s:\n", what,
               FAULT_ASSIGN_TIMEOUT_MS / 1000, svc->pid ? "still running" : "exited", log_path);
        fault_print_log_problems(log_path, 8);
    }
    cr_assert_geq(waited, 0, "%s: the service got no partitions (exit status %d)", what,
                  svc->pid ? -1 : status);
    return waited;
}

long fault_kill_later(service_t *svc, long long assigned_at, long min_ms, long span_ms,
                      unsigned *seed, int k, const char *log) {
    long delay = min_ms + (long)(rand_r(seed) % (unsigned)(span_ms + 1));
    long left = delay - (long)(sy_clock_mono_ms() - assigned_at);
    if (left > 0)
        support_clock_sleep_ms(left);
    int status = 0;
    cr_assert(fault_alive(svc, &status), "start %d: the service exited by itself (status %d) "
              "before the kill; log %s", k + 1, status, log);
    child_signal_and_wait(svc->pid, SIGKILL, 10000, &status);
    svc->pid = 0;
    return delay;
}

void fault_broker_restart(service_t *svc, const char *log_path) {
    fault_broker_restart_down(svc, log_path, 0);
}

void fault_broker_restart_down(service_t *svc, const char *log_path, int down_s) {
    char command[1024];
    int status = 0;
    const char *broker_dir = getenv("SWITCHYARD_TEST_BROKER_DIR");
    cr_assert(broker_dir && broker_dir[0],
              "SWITCHYARD_TEST_BROKER_DIR is not set: this test restarts the broker, so it "
              "must own it; run it through tests/broker/with_kafka.sh (not under a shared "
              "SWITCHYARD_TEST_BOOTSTRAP)");
    snprintf(command, sizeof command,
             "bash %s/tests/broker/kafka_fixture.sh restart-broker '%s' %d >/dev/null",
             SY_SOURCE_ROOT, broker_dir, down_s);
    printf("restarting the broker (%s), down for %d s at least\n", broker_dir, down_s);
    fflush(stdout);
    long long restart_at = sy_clock_mono_ms();
    int rc = system(command);
    printf("broker back after %.1f s (exit %d)\n", (sy_clock_mono_ms() - restart_at) / 1000.0,
           WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
    cr_assert(eq(int, child_exit_code(rc), 0), "restart-broker failed: %d", rc);
    int alive = fault_alive(svc, &status);
    if (!alive)
        fault_print_log_problems(log_path, 8);
    cr_assert(alive, "the service exited during the broker restart (status %d): it must "
              "retry", status);
}

long fault_wait_log(service_t *svc, const char *log_path, const char *needle, int timeout_ms,
                    int *exit_status) {
    long long start = sy_clock_mono_ms();
    while (sy_clock_mono_ms() - start < timeout_ms) {
        if (fault_file_contains(log_path, needle))
            return (long)(sy_clock_mono_ms() - start);
        if (!fault_alive(svc, exit_status))
            return -1;
        support_clock_sleep_ms(20);
    }
    return -1;
}

void fault_print_log_problems(const char *log_path, int max) {
    static char line[FAULT_LINE_BYTES];
    char ring[8][512];
    int n = 0;
    if (max > 8)
        max = 8;
    FILE *f = fopen(log_path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "ERROR") || strstr(line, "WARN") || strstr(line, "error") ||
            strstr(line, "warn") || strstr(line, "Assertion"))
            snprintf(ring[n++ % 8], sizeof ring[0], "%.510s", line);
    if (f)
        fclose(f);
    int first = n > max ? n - max : 0;
    for (int i = first; i < n; i++)
        printf("    | %s", ring[i % 8]);
    fflush(stdout);
}

int fault_partitions = SERVICE_PARTITIONS;

/* Sum of the group's committed offsets and of the end offsets over the events topic;
 * 0 when the broker answered, -1 when not. */
static int group_progress(rd_kafka_t *rk, const service_t *svc, long *committed, long *end,
                          int *caught_up) {
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(8);
    int rc = 0;
    *committed = *end = 0;
    *caught_up = 1;
    for (int p = 0; p < fault_partitions; p++)
        rd_kafka_topic_partition_list_add(parts, svc->events, p);
    if (rd_kafka_committed(rk, parts, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        rc = -1;
    for (int i = 0; rc == 0 && i < parts->cnt; i++) {
        int64_t low = 0, high = 0, at = parts->elems[i].offset > 0 ? parts->elems[i].offset : 0;
        if (rd_kafka_query_watermark_offsets(rk, svc->events, parts->elems[i].partition, &low,
                                             &high, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rc = -1;
            break;
        }
        *committed += (long)at;
        *end += (long)high;
        if (at < high)
            *caught_up = 0;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    return rc;
}

void fault_group_committed(const service_t *svc, long *committed, long *end) {
    rd_kafka_t *rk = service_group_handle(svc);
    int caught_up = 0;
    if (group_progress(rk, svc, committed, end, &caught_up) != 0)
        *committed = *end = -1;
    rd_kafka_destroy(rk);
}

int fault_wait_caught_up(service_t *svc, int timeout_ms, int *exit_status) {
    rd_kafka_t *rk = service_group_handle(svc);
    long long start = sy_clock_mono_ms(), last_print = start;
    long committed = 0, end = 0;
    int result = 0, caught_up = 0;
    while (sy_clock_mono_ms() - start < timeout_ms) {
        if (group_progress(rk, svc, &committed, &end, &caught_up) == 0 && caught_up &&
            end > 0) {
            result = 1;
            break;
        }
        if (!fault_alive(svc, exit_status)) {
            result = -1;
            break;
        }
        if (sy_clock_mono_ms() - last_print >= 10000) {
            printf("  ... group has committed %ld of %ld input records\n", committed, end);
            fflush(stdout);
            last_print = sy_clock_mono_ms();
        }
        support_clock_sleep_ms(200);
    }
    rd_kafka_destroy(rk);
    printf("group committed %ld of %ld input records after %.1f s%s\n", committed, end,
           (sy_clock_mono_ms() - start) / 1000.0,
           result == 1 ? "" : result < 0 ? " (the service exited)" : " (timed out)");
    fflush(stdout);
    return result;
}

/* ------------------------------------------------------------------------------------- */
/* reading and comparing */

static void on_output(void *ctx, const char *json) { fault_outputs_add_json(ctx, json); }

void fault_read_outputs(const service_t *svc, fault_outputs_t *got) {
    static const char *const channels[] = {"email", "sms", "push", "voice", "in_app", "web",
                                           "task"};
    enum { CHANNELS = sizeof channels / sizeof channels[0] };
    char actions[CHANNELS][SERVICE_TOPIC_BYTES + 16];
    const char *topics[CHANNELS + 2] = {svc->decisions, svc->contact_updates};
    long undecodable = 0;
    for (size_t c = 0; c < CHANNELS; c++)
        topics[2 + c] = service_action_topic(svc, channels[c], actions[c], sizeof actions[c]);
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        long n = harness_consume_json(harness_bootstrap(), topics[i], "read_committed", -1,
                                      FAULT_READ_TIMEOUT_MS, on_output, got, &undecodable);
        cr_assert_geq(n, 0, "could not read %s", topics[i]);
    }
    printf("service outputs (read_committed): %ld decisions, %ld actions, %ld contact updates"
           ", %ld undecodable, %ld of other contacts\n",
           got->counts[FAULT_DECISIONS], got->counts[FAULT_ACTIONS],
           got->counts[FAULT_UPDATES], undecodable, got->foreign);
    fflush(stdout);
    cr_expect(eq(long, undecodable, 0), "undecodable output records: %ld", undecodable);
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }
/* Contacts whose outputs of one kind differ; prints the first few. */
static long compare_kind(const fault_outputs_t *want, const fault_outputs_t *got, int kind,
                         long *shown) {
    static char w[TRANSCRIPT_BYTES], g[TRANSCRIPT_BYTES];
    long differ = 0;
    for (size_t s = 0; s < want->shard_count; s++) {
        const transcripts_t *ws = &want->shards[kind][s], *gs = &got->shards[kind][s];
        /* Every contact either side has, so outputs for unexpected contacts count too. */
        for (int side = 0; side < 2; side++) {
            const transcripts_t *from = side == 0 ? ws : gs;
            for (size_t i = 0; i < from->count; i++) {
                const char *contact = from->items[i].contact;
                if (side == 1 && transcript_of(ws, contact)[0] != '\0')
                    continue; /* already compared */
                if (kind == FAULT_DECISIONS) {
                    snprintf(w, sizeof w, "%s", transcript_of(ws, contact));
                    snprintf(g, sizeof g, "%s", transcript_of(gs, contact));
                } else {
                    transcript_sorted(transcript_of(ws, contact), w, sizeof w);
                    transcript_sorted(transcript_of(gs, contact), g, sizeof g);
                }
                if (strcmp(w, g) == 0)
                    continue;
                differ++;
                if ((*shown)++ < FAULT_SHOW_MAX)
                    printf("  %s of %s differ:\n    reference: %s\n    service:   %s\n",
                           kind_names[kind], contact, w, g);
            }
        }
    }
    return differ;
}

/* Copies of the id at ids[*at] (sorted), moving *at past them; 0 at the end or when the
 * id there is not `id`. */
static size_t id_copies(const fault_outputs_t *o, size_t *at, const char *id) {
    size_t copies = 0;
    for (; *at < o->ids_count && strcmp(o->action_ids[*at], id) == 0; (*at)++)
        copies++;
    return copies;
}

/* Action ids: each as many times as in the reference (once, unless the reference itself
 * repeats it), none other. */
static long compare_action_ids(const fault_outputs_t *want, const fault_outputs_t *got) {
    char id[FAULT_ID_BYTES];
    qsort(want->action_ids, want->ids_count, FAULT_ID_BYTES, cmp_str);
    qsort(got->action_ids, got->ids_count, FAULT_ID_BYTES, cmp_str);
    long missing = 0, duplicated = 0, unexpected = 0;
    size_t i = 0, j = 0;
    while (i < want->ids_count || j < got->ids_count) {
        int c = i == want->ids_count  ? 1
                : j == got->ids_count ? -1
                                      : strcmp(want->action_ids[i], got->action_ids[j]);
        snprintf(id, sizeof id, "%s", c <= 0 ? want->action_ids[i] : got->action_ids[j]);
        size_t expected = id_copies(want, &i, id), read = id_copies(got, &j, id);
        if (read < expected && (missing += (long)(expected - read)) <= FAULT_SHOW_MAX)
            printf("  action %s: %zu of %zu copies missing\n", id, expected - read, expected);
        if (read > expected && expected == 0 && (unexpected += (long)read) <= FAULT_SHOW_MAX)
            printf("  action %s: not in the reference\n", id);
        if (read > expected && expected > 0 &&
            (duplicated += (long)(read - expected)) <= FAULT_SHOW_MAX)
            printf("  action %s: %zu times, the reference has it %zu times\n", id, read,
                   expected);
    }
    printf("action ids: %zu expected, %zu read; %ld missing, %ld duplicated, %ld unexpected\n",
           want->ids_count, got->ids_count, missing, duplicated, unexpected);
    return missing + duplicated + unexpected;
}

long fault_compare(const fault_outputs_t *want, const fault_outputs_t *got) {
    long problems = 0, shown = 0;
    printf("compare with the reference: decisions %ld/%ld, actions %ld/%ld, updates %ld/%ld\n",
           got->counts[FAULT_DECISIONS], want->counts[FAULT_DECISIONS],
           got->counts[FAULT_ACTIONS], want->counts[FAULT_ACTIONS], got->counts[FAULT_UPDATES],
           want->counts[FAULT_UPDATES]);
    for (int k = 0; k < FAULT_KINDS; k++) {
        long differ = compare_kind(want, got, k, &shown);
        printf("%s: %ld contacts differ from the reference\n", kind_names[k], differ);
        problems += differ;
    }
    problems += compare_action_ids(want, got);
    problems += got->foreign;
    fflush(stdout);
    return problems;
}

void fault_finish(service_t *svc, const char *log, int timeout_ms,
                  const fault_outputs_t *want, const char *after) {
    fault_outputs_t got;
    int status = 0;
    int caught_up = fault_wait_caught_up(svc, timeout_ms, &status);
    if (caught_up != 1)
        fault_print_log_problems(log, 8);
    cr_assert(eq(int, caught_up, 1), "%s the service did not consume the whole input in %d s "
              "(%s, status %d)", after, timeout_ms / 1000,
              caught_up < 0 ? "it exited" : "timed out", status);
    status = service_stop(svc, 60000);
    printf("stopped with SIGTERM: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    fault_outputs_init(&got, want->contacts);
    fault_read_outputs(svc, &got);
    long problems = fault_compare(want, &got);
    cr_assert(eq(long, problems, 0), "%s the outputs differ from the reference in %ld places "
              "(see above)", after, problems);
    fault_outputs_free(&got);
}
