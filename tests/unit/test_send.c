/* test_send.c — unit tests of the sender's pure parts (connectors/send/): templates filled
 * from an action's params, the email as the SMTP server receives it, the config's checks,
 * the token bucket's arithmetic and the delivered-ids store across a reopen. No broker, no
 * network: the delivery paths are tests/integration/test_send.py's. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send_config.h"
#include "send_deliver.h"
#include "send_ledger.h"
#include "send_rate.h"
#include "send_template.h"
#include "tmpdir.h"

static char errbuf[1024];

static sy_action_t action_make(void) {
    sy_action_t a = {.action_id = "a:1", .contact_id = "ann", .channel = SY_CHANNEL_EMAIL,
                     .template_id = "welcome", .params_count = 2};
    a.params[0] = (sy_kv_t){"to", "ann@shop.example"};
    a.params[1] = (sy_kv_t){"name", "Ann <&>"};
    return a;
}

Test(send_template, fills_holes_defaults_and_escapes_html) {
    sy_action_t a = action_make();
    char *t = send_template_fill("Hi {{name}}, {{ code | \"none\" }}!", &a, false, errbuf,
                                 sizeof errbuf);
    cr_assert(eq(str, t, "Hi Ann <&>, none!"));
    free(t);
    t = send_template_fill("<b>{{name}}</b>", &a, true, errbuf, sizeof errbuf);
    cr_assert(eq(str, t, "<b>Ann &lt;&amp;&gt;</b>"));
    free(t);
}

Test(send_template, fills_the_call_to_action_of_a_tracking_number) {
    sy_action_t a = action_make();
    const char *tmpl = "<a class=\"cta-{{tracking_cta | \"text\"}}\" href=\"{{tracking_tel | "
                       "\"tel:+18005550100\"}}\">{{tracking_display | \"(800) 555-0100\"}}</a>";
    char *t = send_template_fill(tmpl, &a, true, errbuf, sizeof errbuf);
    cr_assert(eq(str, t, "<a class=\"cta-text\" href=\"tel:+18005550100\">(800) 555-0100</a>"),
              "without a number: the defaults");
    free(t);
    a.tracking_number = "+12125550100";
    a.tracking_display = "(212) 555-0100";
    a.tracking_tel = "tel:+12125550100";
    a.tracking_cta = "button";
    t = send_template_fill(tmpl, &a, true, errbuf, sizeof errbuf);
    cr_assert(eq(str, t, "<a class=\"cta-button\" href=\"tel:+12125550100\">(212) 555-0100</a>"));
    free(t);
    a.params[a.params_count++] = (sy_kv_t){"tracking_cta", "banner"};
    t = send_template_fill("{{tracking_cta}} {{tracking_number}}", &a, false, errbuf,
                           sizeof errbuf);
    cr_assert(eq(str, t, "banner +12125550100"), "a param of the same name wins");
    free(t);
}

Test(send_template, refuses_a_missing_param_and_an_open_hole) {
    sy_action_t a = action_make();
    cr_assert_null(send_template_fill("{{nope}}", &a, false, errbuf, sizeof errbuf));
    cr_assert(eq(str, errbuf, "the action has no param 'nope'"));
    cr_assert_null(send_template_fill("x {{name", &a, false, errbuf, sizeof errbuf));
    cr_assert(eq(str, errbuf, "a {{ without }}"));
}

Test(send_template, the_example_quote_email_carries_the_click_to_call_link) {
    /* The action the insurance example's quote_email writes for a smartphone contact. */
    sy_action_t a = {.action_id = "0187", .contact_id = "a1", .channel = SY_CHANNEL_EMAIL,
                     .template_id = "auto_quote", .params_count = 2,
                     .tracking_number = "+13125550104", .tracking_display = "(312) 555-0104",
                     .tracking_tel = "tel:+13125550104", .tracking_cta = "button"};
    a.params[0] = (sy_kv_t){"greeting", "Hi Ann, here is your quote"};
    a.params[1] = (sy_kv_t){"call_link", "https://calls.example.com/c/6131.0187.13125550104"};
    send_message_t msg;
    cr_assert(eq(int, send_template_render(SY_SOURCE_ROOT "/examples/loop/templates", &a, &msg,
                                           errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(str, msg.html, "<p>Hi Ann, here is your quote.</p>\n<p class=\"cta-button\">"
                 "Questions? <a href=\"https://calls.example.com/c/6131.0187.13125550104\">"
                 "Call (312) 555-0104</a></p>\n"));
    cr_expect_not_null(strstr(msg.text, "Call us at (312) 555-0104: https://calls.example.com"
                              "/c/6131.0187.13125550104"), "%s", msg.text);
    send_message_clear(&msg);
}

Test(send_template, refuses_a_template_id_that_is_a_path) {
    sy_action_t a = action_make();
    a.template_id = "../etc/passwd";
    send_message_t msg;
    cr_assert(eq(int, send_template_render("/tmp", &a, &msg, errbuf, sizeof errbuf),
                 SY_ERR_INVALID_RECORD));
    cr_assert(eq(str, errbuf, "template id '../etc/passwd' is not a plain file name"));
}

Test(send_smtp, message_has_both_parts_and_a_message_id_from_the_action) {
    sy_action_t a = action_make();
    send_config_t c = {.smtp_from = "journeys@shop.example"};
    send_message_t msg = {.subject = "Grüße", .text = "plain", .html = "<p>html</p>"};
    send_buf_t b = {0};
    send_smtp_message(&b, &c, &a, &msg);
    cr_assert(not(b.failed));
    cr_assert_not_null(strstr(b.p, "Message-ID: <a=3A1@shop.example>\r\n"));
    cr_assert_not_null(strstr(b.p, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
    cr_assert_not_null(strstr(b.p, "Content-Type: multipart/alternative; boundary="));
    cr_assert_not_null(strstr(b.p, "Content-Type: text/plain; charset=UTF-8\r\n"));
    cr_assert_not_null(strstr(b.p, "Content-Type: text/html; charset=UTF-8\r\n"));
    cr_assert_not_null(strstr(b.p, "cGxhaW4=\r\n"));         /* "plain" */
    cr_assert_not_null(strstr(b.p, "PHA+aHRtbDwvcD4=\r\n")); /* "<p>html</p>" */
    send_buf_free(&b);
}

static sy_err_t config_try(const char *text, send_config_t **out) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir, "send-config");
    snprintf(path, sizeof path, "%s/send.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    sy_err_t err = send_config_load(out, path, errbuf, sizeof errbuf);
    char *at = strstr(errbuf, "send.conf"); /* drop the temporary directory */
    if (at)
        memmove(errbuf, at, strlen(at) + 1);
    tmpdir_remove(dir);
    return err;
}

Test(send_config, names_the_line_of_a_bad_value_and_a_channel_without_provider) {
    send_config_t *c = NULL;
    cr_assert(eq(int, config_try("send.channels = sms\nsmtp.starttls = yes\n", &c),
                 SY_ERR_CONFIG));
    cr_assert(eq(str, errbuf,
                 "send.conf:2: smtp.starttls: 'yes' is not an integer in [0, 1]"));
    cr_assert(eq(int, config_try("kafka.bootstrap.servers = x:1\nsend.channels = sms\n"
                                 "send.state.dir = s\nsend.templates.dir = t\n", &c),
                 SY_ERR_CONFIG));
    cr_assert(eq(str, errbuf, "send.conf: channel sms needs twilio.account_sid"));
}

Test(send_config, reads_a_whole_config_with_prefixed_topics) {
    send_config_t *c = NULL;
    cr_assert(eq(int, config_try("kafka.bootstrap.servers = x:1\nsend.channels = push\n"
                                 "send.state.dir = s\nsend.templates.dir = t\n"
                                 "fcm.project = p\nfcm.token = k\ntopic.prefix = t1.\n", &c),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(str, c->topic_actions_prefix, "t1.actions."));
    cr_assert(eq(str, c->topic_events, "t1.events"));
    cr_assert(c->channel_on[SY_CHANNEL_PUSH] && !c->channel_on[SY_CHANNEL_SMS]);
    cr_assert(eq(i64, c->rate_per_s[SY_CHANNEL_PUSH], 100));
    cr_assert_not_null(strstr(c->state_dir, "/s"));
    cr_assert(eq(chr, c->state_dir[0], '/'));
    send_config_free(c);
}

Test(send_rate, a_full_bucket_gives_a_burst_then_no_more_without_time) {
    send_rate_t r;
    send_rate_init(&r, 5);
    for (int i = 0; i < 5; i++)
        cr_assert(send_rate_take(&r, NULL));
    cr_assert(r.tokens < 1.0);
    send_rate_init(&r, 0);
    cr_assert(send_rate_take(&r, NULL)); /* no limit */
}

Test(send_ledger, keeps_outcomes_per_provider_across_a_reopen) {
    char dir[256];
    tmpdir_make(dir, sizeof dir, "send-ledger");
    send_ledger_t *l = NULL;
    send_outcome_t o;
    cr_assert(eq(int, send_ledger_open(&l, dir, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, send_ledger_put(l, "twilio", "a1", SEND_OUTCOME_ACCEPTED, "SM1", errbuf,
                                      sizeof errbuf), SY_OK));
    cr_assert(eq(int, send_ledger_put(l, "smtp", "a2", SEND_OUTCOME_FAILED, "550", errbuf,
                                      sizeof errbuf), SY_OK));
    send_ledger_close(l);
    cr_assert(eq(int, send_ledger_open(&l, dir, errbuf, sizeof errbuf), SY_OK));
    send_ledger_get(l, "twilio", "a1", &o, errbuf, sizeof errbuf);
    cr_assert(eq(int, o, SEND_OUTCOME_ACCEPTED));
    send_ledger_get(l, "smtp", "a2", &o, errbuf, sizeof errbuf);
    cr_assert(eq(int, o, SEND_OUTCOME_FAILED));
    send_ledger_get(l, "fcm", "a1", &o, errbuf, sizeof errbuf);
    cr_assert(eq(int, o, SEND_OUTCOME_NONE));
    send_ledger_close(l);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}
