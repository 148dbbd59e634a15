/* fuzz_config.c — fuzz target of the config file parser: the input is the text of a
 * `--config` file, parsed and validated as `switchyard run` does (relative paths resolve
 * against /nonexistent, so nothing on disk is touched), then freed. Not the command-line
 * overrides. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char errbuf[512];
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    sy_config_t *config = NULL;
    if (config_parse(&config, text, "fuzz.conf", "/nonexistent", errbuf, sizeof errbuf) ==
        SY_OK) {
        for (int channel = 0; channel < SY_CHANNEL__COUNT; channel++)
            free(config_action_topic(config, (sy_channel_t)channel));
        config_free(config);
    }
    free(text);
    return 0;
}
