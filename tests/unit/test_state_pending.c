/* test_state_pending.c — unit tests of the pending batch's op log (state_pending.h): one
 * final write per (column family, key), and a committed batch's log folded into another
 * (the store's unwritten writes). The map and the timer heaps: test_state_store.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "state_pending.h"

#define CF 3

/* A key of partition 0: the 2-byte partition, then name. */
static size_t key_of(uint8_t *buf, const char *name) {
    size_t len = strlen(name);
    buf[0] = 0;
    buf[1] = 0;
    memcpy(buf + 2, name, len);
    return 2 + len;
}

static void put(state_pending_t *p, const char *name, const char *value) {
    uint8_t key[64];
    cr_assert(state_pending_op_put(p, CF, key, key_of(key, name), (const uint8_t *)value,
                                   strlen(value)));
}

static void delete(state_pending_t *p, const char *name, int committed) {
    uint8_t key[64];
    cr_assert(state_pending_op_delete(p, CF, key, key_of(key, name), committed));
}

/* The log's write of name: its value, "(delete)", "(none)" (an op writing nothing) or
 * "(no op)". */
static const char *write_of(const state_pending_t *p, const char *name) {
    static char out[64];
    uint8_t key[64];
    const pending_op_t *op = state_pending_op_get(p, CF, key, key_of(key, name));
    if (!op)
        return "(no op)";
    if (op->kind == PENDING_OP_DELETE)
        return "(delete)";
    if (op->kind == PENDING_OP_NONE)
        return "(none)";
    cr_assert_lt(op->value_len, sizeof out);
    memcpy(out, op->value, op->value_len);
    out[op->value_len] = '\0';
    return out;
}

static void fold_all(state_pending_t *to, const state_pending_t *from) {
    cr_assert(state_pending_ops_fold(to, from));
}

Test(state_pending, a_folded_batch_writes_over_the_older_ones_key_by_key) {
    state_pending_t unwritten, batch;
    state_pending_init(&unwritten);
    state_pending_init(&batch);
    put(&batch, "ann", "v1");
    put(&batch, "bob", "short");
    put(&batch, "cat", "kept");
    fold_all(&unwritten, &batch);
    state_pending_reset(&batch);
    put(&batch, "ann", "v2-longer-than-the-first-value");
    delete(&batch, "bob", 1);
    put(&batch, "dan", "added then undone");
    delete(&batch, "dan", 0);
    cr_assert(eq(str, (char *)write_of(&batch, "dan"), "(none)"));
    fold_all(&unwritten, &batch);
    cr_assert(eq(str, (char *)write_of(&unwritten, "ann"), "v2-longer-than-the-first-value"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "bob"), "(delete)"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "cat"), "kept"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "dan"), "(no op)"),
              "a write undone within its batch adds nothing");
    cr_assert(eq(sz, unwritten.ops_count, 3));
    state_pending_reset(&batch);
    put(&batch, "bob", "back");
    fold_all(&unwritten, &batch);
    cr_assert(eq(str, (char *)write_of(&unwritten, "bob"), "back"));
    cr_assert(eq(int, unwritten.ops_lost, 0));
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}

Test(state_pending, a_fold_appends_new_keys_in_the_batch_order_with_their_partition) {
    state_pending_t unwritten, batch;
    state_pending_init(&unwritten);
    state_pending_init(&batch);
    put(&unwritten, "old", "o");
    const uint8_t key[] = {0x01, 0x02, 'z', 'o', 'e'}; /* partition 258 */
    cr_assert(state_pending_op_put(&batch, CF + 1, key, sizeof key, (const uint8_t *)"zz", 2));
    put(&batch, "eve", "e");
    put(&batch, "eve", "grown-past-its-first-room"); /* now apart from its key: copied too */
    put(&batch, "old", "o2");
    delete(&batch, "gus", 1);
    fold_all(&unwritten, &batch);
    state_pending_reset(&batch); /* the fold copied what it keeps */
    cr_assert(eq(sz, unwritten.ops_count, 4));
    const pending_op_t *ops = unwritten.ops;
    cr_assert(eq(u8, ops[0].cf, CF));
    cr_assert(eq(int, memcmp(ops[0].key + 2, "old", 3), 0), "older keys keep their place");
    cr_assert(eq(u8, ops[1].cf, CF + 1));
    cr_assert(eq(i32, ops[1].partition, 258));
    cr_assert(eq(int, memcmp(ops[2].key + 2, "eve", 3), 0), "new keys in the batch's order");
    cr_assert(eq(int, memcmp(ops[3].key + 2, "gus", 3), 0));
    cr_assert(eq(u8, ops[3].kind, PENDING_OP_DELETE));
    cr_assert(eq(str, (char *)write_of(&unwritten, "old"), "o2"));
    cr_assert(eq(str, (char *)write_of(&unwritten, "eve"), "grown-past-its-first-room"));
    const pending_op_t *zoe = state_pending_op_get(&unwritten, CF + 1, key, sizeof key);
    cr_assert(zoe && zoe->value_len == 2 && memcmp(zoe->value, "zz", 2) == 0);
    state_pending_deinit(&batch);
    state_pending_deinit(&unwritten);
}
