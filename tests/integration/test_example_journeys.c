/* test_example_journeys.c — the four coffee-chain journeys of examples/journeys, driven
 * through every path by `switchyard simulate` over tests/journeys/paths/<journey>.jsonl.
 * Each <journey>.expect lists, per contact, the exact decisions (with the time of those a
 * timer caused), action commands and contact updates, in order. */
#include <criterion/criterion.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
/* Contacts in one event file, and bytes of one contact's transcript. */
#define CONTACTS_MAX 64
#define TRANSCRIPT_BYTES 4096

typedef struct transcript {
    char contact[64];
    char text[TRANSCRIPT_BYTES];
} transcript_t;

typedef struct transcripts {
    size_t count;
    transcript_t items[CONTACTS_MAX];
} transcripts_t;

static transcript_t *transcript_for(transcripts_t *t, const char *contact) {
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].contact, contact) == 0)
            return &t->items[i];
    cr_assert_lt(t->count, CONTACTS_MAX, "too many contacts");
    transcript_t *tr = &t->items[t->count++];
    snprintf(tr->contact, sizeof tr->contact, "%s", contact);
    tr->text[0] = '\0';
    return tr;
}

static const char *str(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

static void append(transcript_t *tr, const char *token) {
    size_t len = strlen(tr->text);
    snprintf(tr->text + len, sizeof tr->text - len, "%s%s", len ? " | " : "", token);
}

/* One output line as a token: "from>to[path]@time", "send:channel:template{k=v,...}",
 * "update:op:name=value". */
static void record_line(transcripts_t *t, const char *line) {
    char token[1024];
    json_object *o = json_tokener_parse(line);
    cr_assert_not_null(o, "output line is not JSON: %s", line);
    const char *schema = str(o, "schema");
    transcript_t *tr = transcript_for(t, str(o, "contact_id"));
    if (strcmp(schema, "RoutingDecision") == 0) {
        const char *path = str(o, "path"), *cause = str(o, "cause");
        int n = snprintf(token, sizeof token, "%s>%s", str(o, "from_node") ? str(o, "from_node")
                                                                           : "(entry)",
                         str(o, "to_node"));
        if (path)
            n += snprintf(token + n, sizeof token - (size_t)n, "[%s]", path);
        if (cause && strcmp(cause, "timer") == 0)
            snprintf(token + n, sizeof token - (size_t)n, "@%s", str(o, "decided_at"));
    } else if (strcmp(schema, "ActionCommand") == 0) {
        json_object *params;
        int n = snprintf(token, sizeof token, "send:%s:%s", str(o, "channel"),
                         str(o, "template_id"));
        if (json_object_object_get_ex(o, "params", &params) &&
            json_object_object_length(params) > 0) {
            const char *sep = "{";
            json_object_object_foreach(params, key, value) {
                n += snprintf(token + n, sizeof token - (size_t)n, "%s%s=%s", sep, key,
                              json_object_get_string(value));
                sep = ",";
            }
            snprintf(token + n, sizeof token - (size_t)n, "}");
        }
    } else {
        const char *value = str(o, "value");
        snprintf(token, sizeof token, "update:%s:%s%s%s", str(o, "op"), str(o, "name"),
                 value ? "=" : "", value ? value : "");
    }
    append(tr, token);
    json_object_put(o);
}

static void simulate(const char *journey, transcripts_t *t) {
    char command[1024], line[8192];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s/%s.jsonl", SWITCHYARD_BIN,
             SY_SOURCE_ROOT, PATHS_DIR, journey);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        record_line(t, line);
    int status = pclose(p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %d", command, status);
}

/* Compare with <journey>.expect: "contact: token | token" per line, # comments. Every
 * contact with output must be listed; a contact listed with nothing after the colon must
 * have no output at all. */
static void check(const char *journey) {
    transcripts_t t = {0};
    char path[512], line[TRANSCRIPT_BYTES + 128];
    size_t listed = 0;
    simulate(journey, &t);
    snprintf(path, sizeof path, "%s/%s.expect", PATHS_DIR, journey);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "open %s", path);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *colon = strchr(line, ':');
        if (line[0] == '#' || !colon)
            continue;
        *colon = '\0';
        const char *expected = colon + 1 + (colon[1] == ' ');
        const char *got = "";
        for (size_t i = 0; i < t.count; i++)
            if (strcmp(t.items[i].contact, line) == 0)
                got = t.items[i].text, listed++;
        cr_expect_str_eq(got, expected, "%s, contact %s:\n  expected: %s\n  got:      %s",
                         journey, line, expected, got);
    }
    fclose(f);
    cr_assert_eq(listed, t.count, "%s: %zu contacts have output but only %zu are in %s",
                 journey, t.count, listed, path);
}

Test(example_journeys, coffee_email_promo_every_path, .timeout = 120) {
    check("coffee_email_promo");
}

Test(example_journeys, coffee_sms_feedback_every_path, .timeout = 120) {
    check("coffee_sms_feedback");
}

Test(example_journeys, coffee_push_promo_every_path, .timeout = 120) {
    check("coffee_push_promo");
}

Test(example_journeys, coffee_voice_reactivation_every_path, .timeout = 120) {
    check("coffee_voice_reactivation");
}
