/* fuzz_meta: the model's answer, meta_parse then meta_validate (three
 * ways), checking that what validates is within every limit and that a
 * second validation repairs nothing (repairs are idempotent). */
#include "fuzz_common.h"
#include "agency.h"

static agency_lists *lists;
static settings cfg_ss; /* ShutterStock only: title 80, 50 keywords */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_datadir();
	sb_err e = { 0 };
	if (agency_lists_load(NULL, NULL, &lists, &e) < 0) {
		fprintf(stderr, "fuzz_meta: %s\n", e.msg);
		abort();
	}
	settings_defaults(&cfg_ss);
	settings_set(&cfg_ss, "agencies", "shutterstock", "fuzz", &e);
	return 0;
}

static void check_valid(const meta_record *m, const settings *cfg, bool editorial)
{
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "title '%s'\ndescription '%s'\n", m->title, m->description);
	FUZZ_CHECK(utf8_valid(m->title, strlen(m->title), NULL));
	FUZZ_CHECK(utf8_valid(m->description, strlen(m->description), NULL));
	FUZZ_CHECK(utf8_chars(m->title) <= (size_t)agency_title_max(cfg));
	FUZZ_CHECK(utf8_chars(m->description) <= 200);
	FUZZ_CHECK(m->title[0] && m->description[0]);
	FUZZ_CHECK(m->nkeywords >= 7 && m->nkeywords <= 50);
	for (size_t i = 0; i < m->nkeywords; i++) {
		FUZZ_CHECK(m->keywords[i][0]);
		FUZZ_CHECK(!strchr(m->keywords[i], ',') && !strchr(m->keywords[i], '-'));
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(m->keywords[i], m->keywords[j]));
	}
	if (editorial)
		FUZZ_CHECK(!strcmp(m->keywords[0], "Editorial"));
	for (size_t g = 0; g < m->ncats; g++) {
		FUZZ_CHECK(m->cats[g].n >= 1 && m->cats[g].n <= META_MAX_CATS);
		for (size_t j = 0; j < m->cats[g].n; j++)
			FUZZ_CHECK(agency_match_category(lists, m->cats[g].agency, m->cats[g].cats[j]));
		char *joined = meta_categories_joined(m, m->cats[g].agency);
		FUZZ_CHECK(joined);
		free(joined);
	}
}

static void one(const uint8_t *data, size_t size, const settings *cfg, const meta_opts *o)
{
	meta_record m;
	sb_err e = { 0 };
	if (meta_parse((const char *)data, size, &m, &e) < 0) {
		FUZZ_CHECK(e.code == SBE_INPUT && e.msg[0]);
		return;
	}
	meta_check c;
	if (meta_validate_opts(&m, cfg, lists, o, &c) == 0) {
		FUZZ_CHECK(c.why[0] == 0);
		check_valid(&m, cfg, o->editorial);
		meta_check c2;
		char *before = NULL;
		if (getenv("FUZZ_SHOW")) {
			sbuf kb = { 0 };
			for (size_t i = 0; i < m.nkeywords; i++) {
				sbuf_adds(&kb, m.keywords[i]);
				sbuf_adds(&kb, "|");
			}
			before = sbuf_steal(&kb);
		}
		FUZZ_CHECK(meta_validate_opts(&m, cfg, lists, o, &c2) == 0);
		if (before) {
			fprintf(stderr, "keywords before '%s'\nkeywords after  '", before);
			for (size_t i = 0; i < m.nkeywords; i++)
				fprintf(stderr, "%s|", m.keywords[i]);
			fprintf(stderr, "'\n");
			free(before);
		}
		if (c2.repaired)
			fprintf(stderr, "second pass repaired %d: title '%s' desc '%s' notes '%s'\n",
				c2.repaired, m.title, m.description, c2.notes);
		FUZZ_CHECK(c2.repaired == 0);
	} else {
		FUZZ_CHECK(c.why[0]);
	}
	meta_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	meta_opts plain = { 0 };
	meta_opts ed = { .editorial = true, .city = "Český Krumlov", .country = "Czech", .date = "23 11 2026" };
	meta_opts ed_bare = { .editorial = true };
	meta_opts alt = { .no_categories = true };
	one(data, size, NULL, &plain);
	one(data, size, NULL, &ed);
	one(data, size, &cfg_ss, &ed_bare);
	one(data, size, &cfg_ss, &alt);
	return 0;
}
