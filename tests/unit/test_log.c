/* test_log.c — the log line formats (text as before, JSON lines that parse with their
 * fields and escapes) and the level filter, read back from a redirected stderr. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define T0_MS INT64_C(1793606400250) /* 2026-11-02T08:00:00.250Z */

static char line[LOG_LINE_BYTES_MAX];

static const char *member(json_object *o, const char *name) {
    json_object *v = NULL;
    return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : "(none)";
}

Test(log_format, text_lines_keep_their_form) {
    log_line_format(line, sizeof line, LOG_FORMAT_TEXT, T0_MS, LOG_WARN, NULL, "hello");
    cr_assert(eq(str, line, "2026-11-02T08:00:00.250Z switchyard warn: hello\n"));
    log_line_format(line, sizeof line, LOG_FORMAT_TEXT, T0_MS, LOG_ERROR, "kafka",
                    "rdkafka#producer-1 FAIL: down");
    cr_assert(eq(str, line,
                 "2026-11-02T08:00:00.250Z switchyard error: kafka rdkafka#producer-1 FAIL: "
                 "down\n"));
}

Test(log_format, json_lines_parse_with_ts_level_msg_and_component) {
    size_t len = log_line_format(line, sizeof line, LOG_FORMAT_JSON, T0_MS, LOG_INFO, "kafka",
                                 "say \"hi\"\\\n\tnow");
    cr_assert(eq(sz, len, strlen(line)));
    cr_assert(eq(ptr, strchr(line, '\n'), line + len - 1), "one line: %s", line);
    json_object *o = json_tokener_parse(line);
    cr_assert_not_null(o, "not JSON: %s", line);
    cr_assert(eq(str, (char *)member(o, "ts"), "2026-11-02T08:00:00.250Z"));
    cr_assert(eq(str, (char *)member(o, "level"), "info"));
    cr_assert(eq(str, (char *)member(o, "msg"), "say \"hi\"\\\n\tnow"));
    cr_assert(eq(str, (char *)member(o, "component"), "kafka"));
    json_object_put(o);
    log_line_format(line, sizeof line, LOG_FORMAT_JSON, T0_MS, LOG_DEBUG, NULL, "x");
    cr_assert(eq(str, line,
                 "{\"ts\":\"2026-11-02T08:00:00.250Z\",\"level\":\"debug\",\"msg\":\"x\"}\n"));
}

Test(log_format, a_long_message_is_cut_but_stays_one_json_object) {
    static char message[1024];
    memset(message, '"', sizeof message - 1);
    char small[400];
    size_t len = log_line_format(small, sizeof small, LOG_FORMAT_JSON, T0_MS, LOG_INFO,
                                 "kafka", message);
    cr_assert(lt(sz, len, sizeof small));
    json_object *o = json_tokener_parse(small);
    cr_assert_not_null(o, "not JSON: %s", small);
    cr_assert(eq(str, (char *)member(o, "component"), "kafka"));
    json_object_put(o);
}

/* Everything written to stderr while fn runs. */
static void stderr_capture(void (*fn)(void), char *buf, size_t size) {
    FILE *tmp = tmpfile();
    cr_assert_not_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, size - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
}

static void write_each_level(void) {
    log_error("an error");
    log_warn("a warning");
    log_info("some info");
    log_debug("a detail");
}

Test(log_level, lines_above_the_level_are_dropped) {
    static char out[4096];
    log_level_set(LOG_WARN);
    stderr_capture(write_each_level, out, sizeof out);
    cr_assert_not_null(strstr(out, "switchyard error: an error\n"), "%s", out);
    cr_assert_not_null(strstr(out, "switchyard warn: a warning\n"), "%s", out);
    cr_assert_null(strstr(out, "some info"), "%s", out);
    cr_assert_null(strstr(out, "a detail"), "%s", out);
    log_level_set(LOG_DEBUG);
    log_format_set(LOG_FORMAT_JSON);
    stderr_capture(write_each_level, out, sizeof out);
    int lines = 0;
    for (char *l = out; *l; l = strchr(l, '\n') + 1, lines++) {
        json_object *o = json_tokener_parse(l);
        cr_assert_not_null(o, "not JSON: %s", l);
        json_object_put(o);
    }
    cr_assert(eq(int, lines, 4), "%s", out);
    cr_assert_not_null(strstr(out, "\"level\":\"debug\",\"msg\":\"a detail\""), "%s", out);
}
