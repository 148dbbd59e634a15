/* test_admin_expo.c — unit tests of the admin server's text: the Prometheus exposition
 * writer (HELP and TYPE lines, samples with labels, label values escaped as the format
 * says: backslash, double quote, newline; special floats) and the series table (adding,
 * merging committed batches, assigning gauges, the memo of series by pointers, series kept
 * by pointer). Not HTTP: test_admin.c on the broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_expo.h"
#include "admin_table.h"

static char *text_of(admin_buf_t *b) {
    size_t len;
    admin_buf_append(b, "", 0);
    char *text = admin_buf_take(b, &len);
    cr_assert_not_null(text);
    return text;
}

Test(admin_expo, label_values_escape_backslash_quote_and_newline) {
    admin_buf_t b = {0};
    const char *names[] = {"template", "path"};
    const char *values[] = {"a\\b\"c\nd", "plain"};
    admin_expo_sample(&b, "switchyard_actions_total", "", names, values, 2, 3);
    char *text = text_of(&b);
    cr_expect(eq(str, text,
                 "switchyard_actions_total{template=\"a\\\\b\\\"c\\nd\",path=\"plain\"} 3\n"));
    free(text);
}

Test(admin_expo, family_lines_name_help_and_type_and_escape_help) {
    admin_buf_t b = {0};
    admin_expo_family(&b, "switchyard_x_total", ADMIN_COUNTER, "one \\ two\nthree \"q\"");
    admin_expo_family(&b, "switchyard_h", ADMIN_HISTOGRAM, "h");
    char *text = text_of(&b);
    cr_expect(eq(str, text,
                 "# HELP switchyard_x_total one \\\\ two\\nthree \"q\"\n"
                 "# TYPE switchyard_x_total counter\n"
                 "# HELP switchyard_h h\n# TYPE switchyard_h histogram\n"));
    free(text);
}

Test(admin_expo, values_are_integers_exactly_and_special_floats_by_name) {
    admin_buf_t b = {0};
    const char *le[] = {"le"}, *inf[] = {"+Inf"};
    admin_expo_sample(&b, "a", "", NULL, NULL, 0, 12345678901234.0);
    admin_expo_sample(&b, "b", "_sum", NULL, NULL, 0, 0.25);
    admin_expo_sample(&b, "c", "_bucket", le, inf, 1, INFINITY);
    admin_expo_sample(&b, "d", "", NULL, NULL, 0, NAN);
    char *text = text_of(&b);
    cr_expect(eq(str, text, "a 12345678901234\nb_sum 0.25\nc_bucket{le=\"+Inf\"} +Inf\nd NaN\n"));
    free(text);
}

Test(admin_table, batches_merge_into_totals_and_gauges_are_replaced) {
    admin_table_t batch = {0}, totals = {0}, gauges = {0}, published = {0};
    const char *email[] = {"email", "promo"}, *sms[] = {"sms", "promo"};
    for (int i = 0; i < 3; i++)
        cr_assert(admin_table_add(&batch, 1, email, 2, 1));
    cr_assert(admin_table_add(&batch, 1, sms, 2, 1));
    admin_table_merge(&totals, &batch);
    admin_table_zero(&batch);
    cr_assert(admin_table_add(&batch, 1, email, 2, 1));
    admin_table_merge(&totals, &batch);
    cr_expect(eq(dbl, admin_table_get(&totals, 1, email, 2)->value, 4));
    cr_expect(eq(dbl, admin_table_get(&totals, 1, sms, 2)->value, 1));
    cr_expect(admin_table_get(&totals, 2, email, 2) == NULL, "families are apart");

    const char *p0[] = {"events", "0"}, *p1[] = {"events", "1"};
    admin_table_set(&gauges, 7, p0, 2, 5);
    admin_table_set(&gauges, 7, p1, 2, 6);
    admin_table_assign(&published, &gauges);
    admin_table_zero(&gauges);
    admin_table_set(&gauges, 7, p1, 2, 2); /* partition 0 revoked */
    admin_table_assign(&published, &gauges);
    cr_expect(eq(int, admin_table_get(&published, 7, p0, 2)->present, 0),
              "a gauge not set is gone");
    cr_expect(eq(dbl, admin_table_get(&published, 7, p1, 2)->value, 2));
    cr_expect(eq(str, (char *)admin_series_label(admin_table_get(&published, 7, p1, 2), 1),
                 "1"));
    admin_table_deinit(&batch);
    admin_table_deinit(&totals);
    admin_table_deinit(&gauges);
    admin_table_deinit(&published);
}

/* The memo finds series by the caller's pointers: text rewritten behind the same pointers is
 * another series, split otherwise between the values or of another family. */
Test(admin_table, same_pointers_with_other_text_count_another_series) {
    admin_table_t t = {0};
    char journey[8], version[8];
    const char *values[] = {journey, version};
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 200; i++) { /* past the first sizes: the table grows */
            snprintf(journey, sizeof journey, "j%d", i % 10);
            snprintf(version, sizeof version, "%d", i / 10);
            cr_assert(admin_table_add(&t, 1, values, 2, 1));
            cr_assert(admin_table_add(&t, 2, values, 2, 1));
        }
    cr_expect(eq(sz, t.count, 400));
    snprintf(journey, sizeof journey, "%s", "ab");
    snprintf(version, sizeof version, "%s", "c");
    cr_assert(admin_table_add(&t, 3, values, 2, 1));
    snprintf(journey, sizeof journey, "%s", "a");
    snprintf(version, sizeof version, "%s", "bc");
    cr_assert(admin_table_add(&t, 3, values, 2, 1));
    values[1] = NULL; /* as "" */
    cr_assert(admin_table_add(&t, 3, values, 2, 5));
    const char *j7v3[] = {"j7", "3"}, *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"},
               *a_none[] = {"a", ""};
    cr_expect(eq(dbl, admin_table_get(&t, 1, j7v3, 2)->value, 3));
    cr_expect(eq(dbl, admin_table_get(&t, 2, j7v3, 2)->value, 3));
    cr_expect(eq(dbl, admin_table_get(&t, 3, ab_c, 2)->value, 1));
    cr_expect(eq(dbl, admin_table_get(&t, 3, a_bc, 2)->value, 1));
    cr_expect(eq(dbl, admin_table_get(&t, 3, a_none, 2)->value, 5));
    cr_expect(eq(sz, t.count, 403));
    admin_table_deinit(&t);
}

/* More pointers than the memo keeps: each series still counted once per add. */
Test(admin_table, many_value_pointers_each_count_their_series) {
    admin_table_t t = {0};
    enum { IDS = 3 * ADMIN_TABLE_MEMO };
    static char ids[IDS][8];
    for (int i = 0; i < IDS; i++)
        snprintf(ids[i], sizeof ids[i], "n%d", i % (IDS / 2)); /* two pointers per text */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < IDS; i++) {
            const char *values[] = {"j", ids[i]};
            cr_assert(admin_table_add(&t, 1, values, 2, 1));
        }
    cr_expect(eq(sz, t.count, IDS / 2));
    const char *n5[] = {"j", "n5"};
    cr_expect(eq(dbl, admin_table_get(&t, 1, n5, 2)->value, 4));
    admin_table_deinit(&t);
}

/* A series kept by its pointer (admin_table_series) is the one of its labels while the
 * table's moved stays the same; adding to it is admin_table_add's effect; the table growing
 * or being freed changes moved. */
Test(admin_table, a_series_kept_by_pointer_is_its_labels_until_the_table_moves_it) {
    admin_table_t t = {0};
    const char *kept_labels[] = {"coffee", "3", "wait"};
    admin_series_t *kept = admin_table_series(&t, 4, kept_labels, 3);
    cr_assert_not_null(kept);
    cr_expect(eq(int, kept->present, 0), "a series found is created not present");
    cr_expect(eq(dbl, kept->value, 0));
    uint64_t moved = t.moved;
    admin_series_add(kept, -1);
    cr_assert(admin_table_add(&t, 4, kept_labels, 3, 3));
    cr_expect(eq(dbl, admin_table_get(&t, 4, kept_labels, 3)->value, 2));
    cr_expect(eq(int, admin_table_get(&t, 4, kept_labels, 3)->present, 1));
    char node[16];
    const char *values[] = {"coffee", "3", node};
    int added = 0;
    while (t.moved == moved) { /* other series until the table grows */
        cr_expect(eq(ptr, (void *)admin_table_get(&t, 4, kept_labels, 3), kept),
                  "moved unchanged after %d series, but the series is elsewhere", added);
        snprintf(node, sizeof node, "n%d", added++);
        cr_assert_not_null(admin_table_series(&t, 4, values, 3));
    }
    kept = admin_table_series(&t, 4, kept_labels, 3);
    cr_assert_not_null(kept);
    cr_expect(eq(ptr, (void *)admin_table_get(&t, 4, kept_labels, 3), kept));
    cr_expect(eq(dbl, kept->value, 2), "growing keeps the values");
    cr_expect(eq(str, (char *)admin_series_label(kept, 2), "wait"));
    moved = t.moved;
    admin_table_deinit(&t);
    cr_expect(t.moved != moved, "a freed table's series are gone: moved changes");
    cr_expect(eq(sz, t.cap, 0));
}
