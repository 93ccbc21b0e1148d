/* cost.c: the editable price table and cost estimates.  The shipped
 * data/prices.conf is read first, then the user's copy overrides it model by
 * model, so a price change needs no rebuild. */
#include "config.h"
#include "cost.h"
#include "settings.h"
#include "i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The table is replaced whole under the lock and read only under it:
 * price_of() copies the entry out, so a reload (prices_load from another
 * thread) never frees what a reader holds.  The first price_of() loads the
 * default files once (pthread_once) unless a prices_load came first; a
 * malformed file is not read again by every lookup. */
typedef struct ptable {
	price *p;
	size_t n;
	char checked[16]; /* "checked = YYYY-MM-DD", or "" */
	char source[256]; /* "source = ...", or "" */
} ptable;

static ptable table;
static bool loaded_any; /* under lock: some prices_load ran */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t first_use = PTHREAD_ONCE_INIT;

static void put(ptable *t, const price *p)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->p[i].model, p->model) == 0) {
			t->p[i] = *p;
			return;
		}
	t->p = xrealloc(t->p, (t->n + 1) * sizeof *t->p);
	t->p[t->n++] = *p;
}

/* "checked = YYYY-MM-DD" or "source = text": 1 when line is one (kept in
 * t), 0 when it is not, -1 for a malformed date. */
static int parse_meta(ptable *t, char *line)
{
	line += strspn(line, " \t");
	size_t kl = strcspn(line, " \t=");
	bool checked = kl == 7 && strncmp(line, "checked", 7) == 0;
	bool source = kl == 6 && strncmp(line, "source", 6) == 0;
	char *v = line + kl;
	v += strspn(v, " \t");
	if ((!checked && !source) || *v != '=')
		return 0;
	v++;
	v += strspn(v, " \t");
	size_t vl = strcspn(v, "\r\n");
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (source) {
		snprintf(t->source, sizeof t->source, "%.*s", (int)vl, v);
		return 1;
	}
	int y, m, d, used = 0;
	if (vl != 10 || sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	snprintf(t->checked, sizeof t->checked, "%.10s", v);
	return 1;
}

static int parse_file(ptable *into, const char *path, sb_err *e)
{
	char *data = NULL;
	size_t len = 0;
	if (read_whole_file(path, &data, &len, e) < 0)
		return -1;
	int rc = 0, lineno = 0;
	char *save = NULL;
	/* strtok_r drops empty lines, so count lines by hand. */
	for (char *line = data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		int meta = parse_meta(into, line);
		if (meta < 0) {
			rc = sb_fail(
				e, SBE_INPUT,
				_("%s:%d: expected \"checked = YYYY-MM-DD\" (when the prices were last "
				  "compared with their source)"),
				path, lineno);
			break;
		}
		if (meta > 0)
			continue;
		char *tok[9];
		int nt = 0;
		for (char *t = strtok_r(line, " \t\r", &save); t && nt < 9;
		     t = strtok_r(NULL, " \t\r", &save))
			tok[nt++] = t;
		if (nt == 0)
			continue;
		price p = { 0 };
		double v[6];
		bool ok = (nt == 7 || nt == 8) && strlen(tok[0]) < sizeof p.model;
		if (ok && nt == 8) {
			char *end;
			p.queue_tokens = strtol(tok[7], &end, 10);
			ok = *end == '\0' && p.queue_tokens >= 0;
		}
		for (int i = 0; ok && i < 6; i++) {
			char *end;
			v[i] = strtod(tok[i + 1], &end);
			ok = *end == '\0' && end != tok[i + 1] && v[i] >= 0;
		}
		if (!ok) {
			rc = sb_fail(
				e, SBE_INPUT,
				_("%s:%d: expected \"model input cached output batch_in "
				  "batch_cached batch_out [queue_tokens]\" (USD per 1M tokens); fix or delete the line"),
				path, lineno);
			break;
		}
		strcpy(p.model, tok[0]);
		p.in = v[0];
		p.cached_in = v[1];
		p.out = v[2];
		p.batch_in = v[3];
		p.batch_cached_in = v[4];
		p.batch_out = v[5];
		put(into, &p);
	}
	free(data);
	return rc;
}

static char *user_prices_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x)
		return xasprintf("%s/stockbatch/prices.conf", x);
	const char *home = getenv("HOME");
	return home ? xasprintf("%s/.config/stockbatch/prices.conf", home) : NULL;
}

int prices_load(const char *path, sb_err *e)
{
	ptable t = { 0 };
	int rc;
	if (path) {
		rc = parse_file(&t, path, e);
	} else {
		char *shipped = path_join(data_dir(), "prices.conf");
		rc = parse_file(&t, shipped, e);
		free(shipped);
		char *user = user_prices_path();
		if (rc == 0 && user && file_exists(user))
			rc = parse_file(&t, user, e);
		free(user);
	}
	if (rc < 0) { /* no half table: nothing is priced until a good load */
		free(t.p);
		memset(&t, 0, sizeof t);
	}
	pthread_mutex_lock(&lock);
	free(table.p);
	table = t;
	loaded_any = true;
	pthread_mutex_unlock(&lock);
	return rc;
}

static void load_on_first_use(void)
{
	pthread_mutex_lock(&lock);
	bool need = !loaded_any;
	pthread_mutex_unlock(&lock);
	if (need)
		prices_load(NULL, NULL);
}

bool price_of(const char *model, price *out)
{
	pthread_once(&first_use, load_on_first_use);
	pthread_mutex_lock(&lock);
	const price *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; model && i < table.n; i++) {
		size_t l = strlen(table.p[i].model);
		if (l > bl && strncmp(model, table.p[i].model, l) == 0 &&
		    (model[l] == '\0' || model[l] == '-')) {
			best = &table.p[i];
			bl = l;
		}
	}
	if (best && out)
		*out = *best;
	pthread_mutex_unlock(&lock);
	return best != NULL;
}

double cost_usd(const char *model, bool batch, long in_tokens, long out_tokens)
{
	price p;
	if (!price_of(model, &p))
		return 0;
	double pin = batch ? p.batch_in : p.in, pout = batch ? p.batch_out : p.out;
	return (in_tokens * pin + out_tokens * pout) / 1e6;
}

void prices_info(char checked[16], char *source, size_t cap)
{
	pthread_once(&first_use, load_on_first_use);
	pthread_mutex_lock(&lock);
	if (checked)
		snprintf(checked, 16, "%s", table.checked);
	if (source && cap)
		snprintf(source, cap, "%s", table.source);
	pthread_mutex_unlock(&lock);
}

size_t prices_all(price **out)
{
	pthread_once(&first_use, load_on_first_use);
	pthread_mutex_lock(&lock);
	size_t n = table.n;
	*out = xcalloc(n ? n : 1, sizeof **out);
	if (n)
		memcpy(*out, table.p, n * sizeof **out);
	pthread_mutex_unlock(&lock);
	return n;
}
