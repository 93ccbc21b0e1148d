/* cmd_run.c: the commands that talk to the provider: send and retrieve,
 * through the engine's phases, with the run's summary. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "i18n.h"
#include "report.h"

int cli_run_phases(cli_ctx *c, unsigned phases, int wait_s, bool waiting_matters, bool summary)
{
	sb_err e;
	sb_err_clear(&e);
	run_report rep;
	memset(&rep, 0, sizeof rep);
	int r = engine_run(c->en, phases, wait_s, &rep, &e);
	cli_term_progress_end();
	const run_report *er = engine_report(c->en);
	if (er)
		rep = *er;
	int code;
	if (cli_term_interrupted())
		code = SB_EXIT_INTERRUPTED;
	else if (r < 0 && (e.code == SBE_NETWORK || e.code == SBE_RATE))
		code = SB_EXIT_NOT_SENT; /* nothing lost: run again later */
	else if (r < 0)
		code = e.code == SBE_LOCKED ? SB_EXIT_LOCKED : SB_EXIT_ERROR;
	else if (rep.still_ready)
		code = SB_EXIT_NOT_SENT;
	else if (rep.paused) /* said in the log: the user decides */
		code = SB_EXIT_ERROR;
	else if (waiting_matters && rep.still_waiting)
		code = SB_EXIT_WAITING;
	else if (rep.failed)
		code = SB_EXIT_PARTIAL;
	else
		code = SB_EXIT_OK;
	if (r < 0 && !cli_term_interrupted())
		cli_report_err(&e);
	else if (code == SB_EXIT_NOT_SENT) { /* an error: not quieted by -q */
		sb_fail(&e, SBE_RATE, P_("%zu batch stays ready: the provider asked to wait or could not "
				  "be reached (see the messages above); nothing is lost: run "
				  "'stockbatch send' again later",
				  "%zu batches stay ready: the provider asked to wait or could not "
				  "be reached (see the messages above); nothing is lost: run "
				  "'stockbatch send' again later",
				  rep.still_ready),
			rep.still_ready);
		cli_report_err(&e);
	}
	/* --quiet: a summary only when something needs attention */
	/* --quiet prints errors only: no summary; failed items are one line */
	if ((summary || cli_term_interrupted()) &&
	    (cli_opt.json || !cli_opt.quiet || cli_term_interrupted()))
		report_run(&rep, cli_term_interrupted(), code, cli_opt.json, stdout);
	else if (cli_opt.quiet && rep.failed && !cli_term_interrupted())
		fprintf(stderr,
			P_("%s: %zu item failed: see 'stockbatch report', then 'stockbatch retry-failed'\n",
			   "%s: %zu items failed: see 'stockbatch report', then 'stockbatch retry-failed'\n",
			   rep.failed),
			cli_prog, rep.failed);
	return code;
}

int cmd_send(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	batch_info *bs = NULL;
	engine_seal_alternatives(c->en); /* copies queued by a retrieve go now */
	size_t nb = store_list(c->st, &bs), nready = 0, files = 0, collecting = 0;
	double est = 0;
	for (size_t i = 0; i < nb; i++) {
		if (bs[i].state == BS_READY ||
		    (cli_opt.all && bs[i].state == BS_COLLECTING && bs[i].nfiles)) {
			nready++;
			files += bs[i].nfiles;
			est += bs[i].est_cost;
		} else if (bs[i].state == BS_COLLECTING)
			collecting += bs[i].nfiles;
	}
	free(bs);
	if (!nready && !cli_opt.json && !cli_opt.quiet) {
		if (collecting)
			printf(P_("Nothing is ready to send; %zu description is being collected "
				  "('stockbatch send --all' sends it now).\n",
				  "Nothing is ready to send; %zu descriptions are being collected "
				  "('stockbatch send --all' sends them now).\n",
				  collecting),
			       collecting);
		else
			printf(_("Nothing is ready to send.\n"));
	}
	/* Seed 001: the plan, then a confirmation, when a person is at the
	 * terminal; scripts and cron (no terminal, or --yes) are not asked. */
	if (nready && !cli_opt.yes && !cli_opt.json && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO)) {
		printf(P_("Send %zu batch (%zu files", "Send %zu batches (%zu files", nready),
		       nready, files);
		if (est > 0)
			printf(_(", estimated $%.4f"), est);
		printf(_(") to %s? [y/N] "), c->cfg->provider);
		fflush(stdout);
		char ans[16] = "";
		if (!fgets(ans, sizeof ans, stdin) ||
		    (ans[0] != 'y' && ans[0] != 'Y' && strncmp(ans, _("y"), 1))) {
			printf(_("Nothing sent.\n"));
			return SB_EXIT_OK;
		}
	}
	if (cli_opt.all) {
		sb_err e;
		sb_err_clear(&e);
		if (engine_seal_now(c->en, &e) < 0 && e.code != SBE_NOTFOUND)
			return cli_report_err(&e);
	}
	return cli_run_phases(c, PH_RECOVER | PH_SEND, 0, false, nready > 0 || cli_opt.json);
}

int cmd_retrieve(cli_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int wait_s = cli_opt.wait_given ? cli_opt.wait_s : c->cfg->wait_timeout;
	return cli_run_phases(c, PH_RECOVER | PH_RETRIEVE, wait_s, true, true);
}
