/* fuzz_provider_answer: an HTTP answer body of either provider through its
 * parse_answer (the code every create, get, cancel, list page, upload and
 * live call goes through), plus the error-body readers of http.c.
 *
 * The first byte picks what the body answers: bit 0 the provider (0 OpenAI,
 * 1 Gemini), bits 1-3 the kind (batch, list page, uploaded file, live
 * answer, file list page; 5..7 are batch, list page, uploaded file again);
 * seeds start with '0'..'9' so they stay readable. */
#include "fuzz_common.h"
#include "http.h"
#include "provider.h"

#include <math.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_batch(const prov_batch *b)
{
	FUZZ_CHECK(strnlen(b->id, sizeof b->id) < sizeof b->id);
	FUZZ_CHECK(strnlen(b->our_id, sizeof b->our_id) < sizeof b->our_id);
	FUZZ_CHECK(strnlen(b->raw_status, sizeof b->raw_status) < sizeof b->raw_status);
	FUZZ_CHECK(strnlen(b->output_file_id, sizeof b->output_file_id) < sizeof b->output_file_id);
	FUZZ_CHECK((unsigned)b->state <= PB_UNKNOWN);
	FUZZ_CHECK(pb_state_name(b->state) != NULL);
	if (b->errors)
		FUZZ_CHECK(strlen(b->errors) > 0);
	if (b->inline_results)
		(void)strlen(b->inline_results);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const provider_ops *ops = (data[0] & 1) ? &gemini_ops : &openai_ops;
	prov_answer_kind kind = (prov_answer_kind)(((data[0] >> 1) & 7) % 5);
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	prov_answer a;
	sb_err e = { 0 };
	if (prov_parse_answer(ops, kind, body, len, &a, &e) == 0) {
		FUZZ_CHECK(e.msg[0] == 0);
		switch (kind) {
		case PA_BATCH:
			FUZZ_CHECK(a.batch.id[0]);
			check_batch(&a.batch);
			break;
		case PA_LIST:
			FUZZ_CHECK(a.n == 0 ? a.list == NULL && a.next == NULL : a.list != NULL);
			FUZZ_CHECK(!a.next || a.next[0]);
			for (size_t i = 0; i < a.n; i++) {
				check_batch(&a.list[i]);
				FUZZ_CHECK(a.list[i].inline_results == NULL);
			}
			break;
		case PA_FILE:
			FUZZ_CHECK(a.file_id[0] && strnlen(a.file_id, sizeof a.file_id) < sizeof a.file_id);
			FUZZ_CHECK(a.expires >= 0);
			break;
		case PA_FILES:
			FUZZ_CHECK(a.nfiles == 0 || a.files != NULL);
			FUZZ_CHECK(!a.next || a.next[0]);
			for (size_t i = 0; i < a.nfiles; i++)
				FUZZ_CHECK(a.files[i].id[0] &&
					   strnlen(a.files[i].name, sizeof a.files[i].name) <
						   sizeof a.files[i].name);
			break;
		case PA_LIVE:
			FUZZ_CHECK(a.result.ok ? a.result.content != NULL : a.result.error != NULL);
			FUZZ_CHECK(a.result.in_tokens >= 0 && a.result.out_tokens >= 0);
			FUZZ_CHECK(a.result.http_status == 200);
			break;
		}
		prov_answer_clear(&a);
	} else {
		FUZZ_CHECK(e.msg[0] && e.code == SBE_NETWORK);
		/* a failed parse leaves nothing to free */
		FUZZ_CHECK(a.list == NULL && a.next == NULL && a.files == NULL && a.batch.errors == NULL &&
			   a.batch.inline_results == NULL && a.result.content == NULL && a.result.error == NULL);
	}

	/* The same bytes as an error body (NUL-terminated, as http.c holds it). */
	char *z = malloc(len + 1);
	memcpy(z, body, len);
	z[len] = 0;
	char *msg = http_error_message(z);
	if (msg)
		(void)strlen(msg);
	free(msg);
	double d = http_retry_info_delay(z);
	FUZZ_CHECK(!isnan(d) && d >= 0 && d <= 7 * 86400.0);
	free(z);
	return 0;
}
