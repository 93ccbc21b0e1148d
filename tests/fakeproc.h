/* fakeproc.h: start tests/fakeapi.py on a free loopback port, talk to its
 * control endpoints, stop it.  Header-only, for the provider tests.
 * The fake never outlives its test: it gets SIGTERM when the test process
 * dies (PR_SET_PDEATHSIG, even on SIGKILL or a crash), and an atexit hook
 * kills and reaps every fake still running on a normal exit. */
#ifndef SB_FAKEPROC_H
#define SB_FAKEPROC_H
#include <curl/curl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct fakeproc {
	pid_t pid;
	int port;
	char url[64];     /* http://127.0.0.1:PORT */
	char oai[80];     /* .../v1 */
} fakeproc;

/* The fakes started and not yet stopped, for the atexit hook; a forked
 * test child that exits must leave its parent's fakes alone. */
#define FAKE_MAX_ 16
static pid_t fake_live_[FAKE_MAX_];
static pid_t fake_owner_;

static inline void fake_forget_(pid_t pid)
{
	for (int i = 0; i < FAKE_MAX_; i++)
		if (fake_live_[i] == pid)
			fake_live_[i] = 0;
}

static void fake_reap_all_(void)
{
	if (getpid() != fake_owner_)
		return;
	for (int i = 0; i < FAKE_MAX_; i++)
		if (fake_live_[i] > 0) {
			kill(fake_live_[i], SIGKILL);
			waitpid(fake_live_[i], NULL, 0);
			fake_live_[i] = 0;
		}
}

static inline void fake_remember_(pid_t pid)
{
	if (fake_owner_ != getpid()) { /* first fake of this process */
		memset(fake_live_, 0, sizeof fake_live_);
		fake_owner_ = getpid();
		atexit(fake_reap_all_);
	}
	for (int i = 0; i < FAKE_MAX_; i++)
		if (fake_live_[i] <= 0) {
			fake_live_[i] = pid;
			return;
		}
}

/* args: extra command-line words (NULL-terminated), may be NULL. */
static inline int fake_start(fakeproc *f, const char *const *args)
{
	const char *py = getenv("PYTHON3");
	const char *top = getenv("top_srcdir");
	char script[4096];
	snprintf(script, sizeof script, "%s/tests/fakeapi.py", top ? top : ".");
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t parent = getpid();
	fflush(NULL); /* no buffered test output printed twice */
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
#ifdef __linux__
		/* Dies with the test, however the test dies; the parent may
		 * already be gone before prctl took effect. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(126);
#else
		(void)parent;
#endif
		const char *argv[32];
		int n = 0;
		argv[n++] = py && *py ? py : "python3";
		argv[n++] = script;
		argv[n++] = "--port";
		argv[n++] = "0";
		for (int i = 0; args && args[i] && n < 30; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	fake_remember_(pid);
	FILE *in = fdopen(pfd[0], "r");
	char line[128] = "";
	if (!in || !fgets(line, sizeof line, in) || sscanf(line, "PORT %d", &f->port) != 1) {
		if (in)
			fclose(in);
		else
			close(pfd[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fake_forget_(pid);
		return -1;
	}
	fclose(in);
	f->pid = pid;
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", f->port);
	snprintf(f->oai, sizeof f->oai, "http://127.0.0.1:%d/v1", f->port);
	return 0;
}

/* Exit status of the fake (0 when it stopped cleanly on SIGTERM). */
static inline int fake_stop(fakeproc *f)
{
	int st = -1;
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, &st, 0);
		fake_forget_(f->pid);
		f->pid = 0;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t fake_wr_(char *p, size_t s, size_t n, void *ud)
{
	fwrite(p, s, n, (FILE *)ud);
	return s * n;
}

/* GET or POST a control endpoint; returns the body (caller frees). */
static inline char *fake_call_(fakeproc *f, const char *path, const char *body)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof url, "%s%s", f->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fake_wr_);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, m);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	fclose(m);
	return buf;
}

/* Set faults at run time: "429=2", "validation", "step=0.3" (one per call). */
static inline void fake_fault(fakeproc *f, const char *spec)
{
	free(fake_call_(f, "/__fault", spec));
}

/* A counter from /__stats: "batches_created", or "faults_fired.503". */
static inline long fake_stat(fakeproc *f, const char *name)
{
	char *s = fake_call_(f, "/__stats", NULL);
	json_object *o = json_tokener_parse(s), *v = NULL;
	free(s);
	char key[128];
	snprintf(key, sizeof key, "%s", name);
	char *dot = strchr(key, '.');
	if (dot)
		*dot = 0;
	long r = 0;
	if (json_object_object_get_ex(o, key, &v)) {
		if (dot) {
			json_object *w;
			r = json_object_object_get_ex(v, dot + 1, &w) ? json_object_get_int64(w) : 0;
		} else
			r = json_object_get_int64(v);
	}
	json_object_put(o);
	return r;
}
#endif
