/* util.c: shared helpers of the core (see util.h). */
#include "config.h"
#include "util.h"
#include "i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<sys/random.h>)
#include <sys/random.h>
#define SB_HAVE_GETRANDOM 1
#endif
#endif

int sb_fail(sb_err *e, sb_errcode code, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	return -1;
}

void sb_err_clear(sb_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

static void oom(void)
{
	fputs("stockbatch: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

static void sbuf_grow(sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void sbuf_add(sbuf *b, const void *data, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sbuf_adds(sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_addc(sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void sbuf_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sbuf_grow(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

void sbuf_reset(sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

char *sbuf_steal(sbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void sbuf_free(sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *path_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

const char *cesta_basename(const char *cesta)
{
	const char *base = cesta;
	for (const char *q = cesta; *q; q++)
		if (*q == '/' || *q == '\\')
			base = q + 1;
	return base;
}

char *cesta_dirname(const char *cesta)
{
	const char *base = cesta_basename(cesta);
	if (base == cesta)
		return xstrdup(".");
	size_t n = (size_t)(base - cesta) - 1;
	return n ? xstrndup(cesta, n) : xstrndup(cesta, 1); /* "/a.jpg": "/" */
}

char *path_join(const char *a, const char *b)
{
	if (!a || !*a || b[0] == '/')
		return xstrdup(b);
	size_t la = strlen(a);
	return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int fsync_dir_of(const char *path)
{
	char *dir = path_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Random letters for temp names: getrandom when there is one, else the
 * clock, the pid and a counter (O_EXCL keeps it safe either way). */
static void random_letters(char *out, size_t n)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long counter;
	unsigned char r[16];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long long x =
		(unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
		((unsigned long long)getpid() << 40) ^
		(__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED) * 0x9E3779B97F4A7C15ULL);
	bool have = false;
#ifdef SB_HAVE_GETRANDOM
	have = getrandom(r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r;
#endif
	for (size_t i = 0; i < n; i++) {
		if (!have) {
			x ^= x >> 33;
			x *= 0xff51afd7ed558ccdULL;
			x ^= x >> 33;
		}
		unsigned v = have ? r[i % sizeof r] ^ (unsigned)(x >> (i % 8)) : (unsigned)x;
		out[i] = set[v % (sizeof set - 1)];
	}
	out[n] = 0;
}

int util_create_temp(const char *target, char **tmp, sb_err *e)
{
	*tmp = NULL;
	for (int attempt = 0; attempt < 100; attempt++) {
		char rnd[7];
		random_letters(rnd, 6);
		char *name = xasprintf("%s.tmp.%ld.%s", target, (long)getpid(), rnd);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*tmp = name;
			return fd;
		}
		int err = errno;
		if (err != EEXIST) {
			sb_fail(e, SBE_IO, "cannot create %s: %s", name, strerror(err));
			free(name);
			return -1;
		}
		free(name); /* taken (maybe planted): another name */
	}
	return sb_fail(e, SBE_IO, "cannot create a temporary file beside %s: %s", target,
		       strerror(EEXIST));
}

/* Give fd the mode (and owner) the new file must have. */
static void match_file(int fd, mode_t mode, const struct stat *like)
{
	if (like) {
		mode = like->st_mode & 07777;
		struct stat me;
		if (fstat(fd, &me) == 0 &&
		    (me.st_uid != like->st_uid || me.st_gid != like->st_gid)) {
			/* EPERM: not ours to give; then nobody gains access by it */
			if (fchown(fd, like->st_uid, like->st_gid) < 0 &&
			    fchown(fd, (uid_t)-1, like->st_gid) < 0)
				mode &= ~(mode_t)(S_IRWXG | S_IRWXO);
			else if (fstat(fd, &me) == 0 && me.st_uid != like->st_uid)
				mode &= ~(mode_t)S_IRWXO;
		}
	}
	if (fchmod(fd, mode & 07777) < 0) {
		/* the temp stays 0600: narrower, never wider */
	}
}

int util_write_all(int fd, const void *data, size_t len)
{
	return write_all(fd, data, len);
}

/* The temp file beside path filled by fill(fd, ctx), fsync'ed, its mode
 * (and owner) given: *tmp (caller frees) waits for its rename. */
static int write_temp_fn(const char *path, int (*fill)(int, void *), void *ctx, mode_t mode,
			 const struct stat *like, char **tmp, sb_err *e)
{
	int fd = util_create_temp(path, tmp, e);
	if (fd < 0)
		return -1;
	if (fill(fd, ctx) < 0 || fsync(fd) < 0) {
		sb_fail(e, SBE_IO, "cannot write %s: %s", *tmp, strerror(errno));
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	match_file(fd, mode, like);
	close(fd);
	return 0;
}

typedef struct bytes {
	const void *p;
	size_t n;
} bytes;

static int fill_bytes(int fd, void *ctx)
{
	const bytes *b = ctx;
	return write_all(fd, b->p, b->n);
}

static int write_temp(const char *path, const void *data, size_t len, mode_t mode,
		      const struct stat *like, char **tmp, sb_err *e)
{
	bytes b = { data, len };
	return write_temp_fn(path, fill_bytes, &b, mode, like, tmp, e);
}

int util_write_temp_like(const char *path, const void *data, size_t len, const struct stat *like,
			 char **tmp, sb_err *e)
{
	return write_temp(path, data, len, like->st_mode & 07777, like, tmp, e);
}

int util_write_temp_like_with(const char *path, int (*fill)(int, void *), void *ctx,
			      const struct stat *like, char **tmp, sb_err *e)
{
	return write_temp_fn(path, fill, ctx, like->st_mode & 07777, like, tmp, e);
}

int util_rename_exchange(const char *a, const char *b)
{
#ifdef RENAME_EXCHANGE
	return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
#endif
}

static int atomic_write_fd(const char *path, const void *data, size_t len, mode_t mode,
			   const struct stat *like, sb_err *e)
{
	char *tmp;
	if (write_temp(path, data, len, mode, like, &tmp, e) < 0)
		return -1;
	if (rename(tmp, path) < 0) {
		sb_fail(e, SBE_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	fsync_dir_of(path);
	return 0;
}

int atomic_write(const char *path, const void *data, size_t len, mode_t mode, sb_err *e)
{
	return atomic_write_fd(path, data, len, mode, NULL, e);
}

int atomic_write_like(const char *path, const void *data, size_t len, const struct stat *like,
		      sb_err *e)
{
	return atomic_write_fd(path, data, len, like->st_mode & 07777, like, e);
}

/* "PID" or "PID.XXXXXX" after ".tmp.", the latter also with the "._NN_"
 * that the XMP toolkit (exempi) puts after the name of a file it rewrites
 * through its own temp file: the pid, else 0. */
static long temp_pid(const char *name)
{
	const char *t = NULL;
	for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
		t = p + 5;
	if (!t || !isdigit((unsigned char)*t))
		return 0;
	char *end;
	long pid = strtol(t, &end, 10);
	if (*end == '.') {
		for (size_t i = 1; i <= 6; i++)
			if (!isalnum((unsigned char)end[i]))
				return 0;
		const char *x = end + 7;
		if (*x &&
		    !(x[0] == '.' && x[1] == '_' && isdigit((unsigned char)x[2]))) /* "._00_" */
			return 0;
		if (*x) {
			x += 2;
			while (isdigit((unsigned char)*x))
				x++;
			if (strcmp(x, "_") != 0)
				return 0;
		}
	} else if (*end) {
		return 0;
	}
	return pid;
}

size_t util_remove_dead_temps(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0, pl = strlen(prefix);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		long pid = temp_pid(de->d_name);
		if (pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* running (or not ours to ask): maybe in use */
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int open_private(const char *path, int flags, sb_err *e)
{
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int err = errno;
		struct stat st;
		if (err == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			sb_fail(e, SBE_IO,
				"%s is a symbolic link; stockbatch never writes through links "
				"in its state folder: remove it (rm %s) and run again",
				path, path);
		else
			sb_fail(e, SBE_IO, "cannot open %s: %s", path, strerror(err));
		errno = err;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077))
		if (fchmod(fd, 0600) < 0) {
			/* left as it was: the state dir itself is 0700 */
		}
	return fd;
}

int append_line_sync(const char *path, const char *line, sb_err *e)
{
	int fd = open_private(path, O_WRONLY | O_CREAT | O_APPEND, e);
	if (fd < 0)
		return -1;
	size_t n = strlen(line);
	int r = write_all(fd, line, n);
	if (r == 0 && (n == 0 || line[n - 1] != '\n'))
		r = write_all(fd, "\n", 1);
	if (r == 0)
		r = fdatasync(fd);
	int saved = errno;
	close(fd);
	if (r < 0)
		return sb_fail(e, SBE_IO, "cannot append to %s: %s", path, strerror(saved));
	return 0;
}

int open_regular(const char *path)
{
	/* O_NONBLOCK: opening a FIFO with no writer returns at once */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	int er = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
	if (er) {
		close(fd);
		errno = er;
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

FILE *fopen_regular(const char *path)
{
	int fd = open_regular(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	if (fd >= 0 && !f) {
		int er = errno;
		close(fd);
		errno = er;
	}
	return f;
}

const char *open_error(int err)
{
	return err == EINVAL ? _("not a regular file") : strerror(err);
}

int read_whole_file(const char *path, char **data, size_t *len, sb_err *e)
{
	int fd = open_regular(path);
	if (fd < 0)
		return sb_fail(e, errno == ENOENT ? SBE_NOTFOUND : SBE_IO, _("cannot open %s: %s"),
			       path, open_error(errno));
	sbuf b = { 0 };
	char buf[65536];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			sbuf_free(&b);
			return sb_fail(e, SBE_IO, "cannot read %s: %s", path, strerror(saved));
		}
		if (r == 0)
			break;
		sbuf_add(&b, buf, (size_t)r);
	}
	close(fd);
	if (len)
		*len = b.len;
	*data = sbuf_steal(&b);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, sb_err *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			sb_fail(e, SBE_IO, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = 0;
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		r = sb_fail(e, SBE_IO, "cannot create directory %s: %s", p, strerror(errno));
	free(p);
	return r;
}

void time_iso(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

time_t time_parse_iso(const char *s)
{
	struct tm tm = { 0 };
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

void today_ddmmyyyy(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 16, "%d.%m.%Y", &tm);
}

bool date_norm_ddmmyyyy(const char *in, char out[11])
{
	unsigned v[3];
	int len[3], n = 0;
	const char *p = in ? in : "";
	while (*p == ' ')
		p++;
	while (n < 3 && *p >= '0' && *p <= '9') {
		v[n] = 0;
		len[n] = 0;
		for (; *p >= '0' && *p <= '9' && len[n] < 5; p++, len[n]++)
			v[n] = v[n] * 10 + (unsigned)(*p - '0');
		n++;
		if (n < 3) {
			/* one separator, possibly with spaces: "3.8.2024", "3 8 2024", "03/08/2024" */
			while (*p == ' ')
				p++;
			if (*p == '.' || *p == '/' || *p == '-')
				p++;
			while (*p == ' ')
				p++;
		}
	}
	while (*p == ' ' || *p == '.')
		p++;
	if (n != 3 || *p)
		return false;
	unsigned d = v[0], m = v[1], y = v[2];
	if (len[0] == 4 && len[2] <= 2) { /* ISO 2024-08-03 */
		y = v[0];
		d = v[2];
	} else if (len[2] != 4 || len[0] > 2 || len[1] > 2)
		return false;
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	char buf[40];
	snprintf(buf, sizeof buf, "%02u %02u %04u", d, m, y);
	memcpy(out, buf, 11);
	return true;
}

double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long long fnv1a64(const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned long long h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* SHA-256 (FIPS 180-4), for the upload cache and task keys. */
static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + K256[i] + w[i];
		uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
		uint32_t mj = (a & bb) ^ (a & c) ^ (bb & c);
		uint32_t t2 = S0 + mj;
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = bb;
		bb = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += bb;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 64 <= n; i += 64)
		sha256_block(h, p + i);
	unsigned char tail[128] = { 0 };
	size_t rest = n - i;
	memcpy(tail, p + i, rest);
	tail[rest] = 0x80;
	size_t tl = rest + 1 + 8 <= 64 ? 64 : 128;
	unsigned long long bits = (unsigned long long)n * 8;
	for (int k = 0; k < 8; k++)
		tail[tl - 1 - k] = (unsigned char)(bits >> (8 * k));
	sha256_block(h, tail);
	if (tl == 128)
		sha256_block(h, tail + 64);
	for (int k = 0; k < 8; k++)
		snprintf(out + 8 * k, 9, "%08x", h[k]);
}
