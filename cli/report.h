/* report.h — `leinao report DIR` and `leinao run --report` (cli/report.c). */
#ifndef LEINAO_CLI_REPORT_H
#define LEINAO_CLI_REPORT_H

#include "leinao.h"

/* leinao report DIR [options]: the exit status. */
int cmd_report(int argc, char **argv);

/* run --report: keeps the weights of the plastic projections of a built handle (before the
 * run); after the run, writes their distributions then and now into DIR/weights.csv. Under
 * MPI (more than one rank) nothing is kept: a rank holds only its share of the synapses. */
void cli_weights_before(leinao_sim *sim);
void cli_weights_after(leinao_sim *sim, const char *dir, int quiet);

/* Draws DIR/report.pdf and DIR/report.png (a child process reads the files); prints their
 * names unless quiet. Returns 0 or the leinao_status of the failure (reported on stderr). */
int cli_report_draw(const char *dir, int quiet);

#endif
