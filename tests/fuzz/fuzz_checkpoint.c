/* fuzz_checkpoint.c — libFuzzer harness for the checkpoint reader: any bytes as a checkpoint,
 * inspected and read into a small declared network (tests/data/small.yaml's shape, built here
 * through the API), then run 2 ms when accepted. A rejection must carry a message; nothing may
 * crash or leak.
 *
 * libhdf5 1.10 can crash on a corrupt file (see sonata_read.c and plot.c), so, as fuzz_nir.c
 * does, each input is first exercised in a child process; only inputs the child survives are
 * then run in-process (with coverage and the sanitizers), so that a failure found is leinao's.
 * A child that dies is not simply skipped: its report (stderr, kept in a file) must blame
 * libhdf5 (or the compression libraries it calls), else the crash is leinao's own and the
 * harness aborts on it. libhdf5 can also take minutes and gigabytes on a corrupt symbol table
 * (H5G__stab_iterate under H5Ovisit2, found here): a child still running after CHILD_SECONDS
 * prints its stack (glibc's backtrace) and ends, judged the same way. After each in-process
 * run no HDF5 object may be left open (so the leaks LeakSanitizer finds inside libhdf5,
 * suppressed by tests/fuzz/lsan_hdf5.supp, are libhdf5's own). Seed
 * corpus: tests/fuzz/corpus/checkpoint (a checkpoint of this network, written by the harness
 * itself when run with LEINAO_FUZZ_WRITE_SEED=path, and inputs that once crashed). */
#define _DEFAULT_SOURCE
#include <execinfo.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define HAVE_DEATH_CALLBACK 1
#endif
#endif

#include "leinao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHILD_SURVIVED 0
#define CHILD_DIED 86 /* the sanitizer's death callback in the child, or its time limit */
#define CHILD_SECONDS 4 /* under libFuzzer's -timeout=10 for the child and the in-process run */

static leinao_sim *declare(void)
{
    leinao_sim *sim = NULL;
    if (leinao_open(&sim) != LEINAO_OK)
        return NULL;
    int noise, exc;
    leinao_configure(sim, 0.1, 20.0, 7, 1);
    leinao_add_population(sim, "noise", "poisson_generator", 1, &noise);
    leinao_add_population(sim, "E", "iaf_psc_alpha", 20, &exc);
    leinao_set_param(sim, noise, "rate", 8000.0);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 30.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 0.3, 0, 0, 0};
    leinao_connect(sim, noise, exc, &all, &w, &d, NULL);
    leinao_rule p = leinao_rule_default(LEINAO_PAIRWISE_BERNOULLI);
    p.p = 0.3;
    int proj = -1;
    leinao_dist w2 = {LEINAO_DIST_UNIFORM, 1.0, 5.0, 0, 0};
    leinao_connect(sim, exc, exc, &p, &w2, &d, &proj);
    leinao_set_synapse(sim, proj, "stdp_synapse");
    return sim;
}

/* Inspects and reads the file, runs on when it was accepted; aborts on a rejection without a
 * message. */
static void exercise(const char *path)
{
    leinao_sim *sim = declare();
    if (!sim)
        return;
    leinao_checkpoint_info info;
    leinao_status st = leinao_checkpoint_inspect(sim, path, &info);
    if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
        abort(); /* a rejection without a message is a bug */
    st = leinao_checkpoint_read(sim, path);
    if (st != LEINAO_OK && !leinao_errmsg(sim)[0])
        abort();
    if (st == LEINAO_OK)
        leinao_simulate(sim, 2.0, NULL, NULL);
    leinao_close(sim);
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0)
        abort(); /* leinao left an HDF5 file or object open */
}

#ifdef HAVE_DEATH_CALLBACK
static void child_death(void)
{
    _exit(CHILD_DIED); /* no crash file from the child: the parent decides */
}
#endif

/* The child's time limit: its stack (frames of shared objects named, the executable's not:
 * leinao's code is linked into it) goes to the report, and the child ends. */
static void child_alarm(int sig)
{
    (void)sig;
    static const char head[] = "fuzz_checkpoint: the child's time limit; its stack:\n";
    void *frames[64];
    if (write(STDERR_FILENO, head, sizeof head - 1) < 0)
        _exit(CHILD_DIED);
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
    _exit(CHILD_DIED);
}

static int is_hdf5_frame(const char *line)
{
    return strstr(line, "libhdf5") || strstr(line, "libz.so") || strstr(line, "libsz.so") ||
           strstr(line, "libaec.so");
}

/* 1 when the child's report blames libhdf5 (or the compression libraries it calls).
 * A sanitizer's report: of the frames of its first stack that lie in libhdf5 or in leinao's own
 * sources (this file's folder's ../../src), the first is libhdf5's; frames of the sanitizers'
 * interceptors (malloc, memcpy), of libc and of this harness are passed over, so a crash in
 * leinao's code called back from libhdf5 (H5Lvisit) is leinao's. A time limit's stack
 * (backtrace_symbols_fd lines, "/path/object(symbol+offset)[address]"): the first frame in a
 * shared object other than libc is libhdf5's (the executable's frames, leinao's code or the
 * sanitizers' malloc, cannot be told apart there: a loop of leinao's own code called back from
 * libhdf5 would be missed). */
static int blames_libhdf5(const char *report_path)
{
    char root[512];
    snprintf(root, sizeof root, "%s", __FILE__);
    char *cut = strstr(root, "tests/fuzz/");
    if (!cut)
        return 0;
    *cut = 0;
    FILE *f = fopen(report_path, "r");
    if (!f)
        return 0;
    char line[4096], src[600];
    snprintf(src, sizeof src, "%ssrc/", root);
    int verdict = -1;
    int timed_out = 0;
    while (verdict < 0 && fgets(line, sizeof line, f)) {
        if (strstr(line, "the child's time limit"))
            timed_out = 1;
        if (timed_out) {
            const char *so = strstr(line, ".so");
            if (line[0] == '/' && so && !strstr(line, "libc.so"))
                verdict = is_hdf5_frame(line) != 0;
            continue;
        }
        const char *frame = strstr(line, " #");
        if (line[0] != ' ' || !frame || frame[2] < '0' || frame[2] > '9')
            continue;
        if (is_hdf5_frame(line))
            verdict = 1;
        else if (strstr(line, src))
            verdict = 0;
    }
    fclose(f);
    return verdict > 0;
}

static void print_report(const char *report_path)
{
    FILE *f = fopen(report_path, "r");
    if (!f)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

static char path[64], report[64];

static void remove_files(void)
{
    remove(path);
    remove(report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/leinao-fuzz-ckpt-%d.h5", (int)getpid());
        snprintf(report, sizeof report, "/tmp/leinao-fuzz-ckpt-%d.child", (int)getpid());
        atexit(remove_files);
        const char *seed = getenv("LEINAO_FUZZ_WRITE_SEED");
        leinao_sim *sim = seed ? declare() : NULL;
        if (sim && leinao_build(sim) == LEINAO_OK && leinao_simulate(sim, 7.7, NULL, NULL) == LEINAO_OK)
            leinao_checkpoint_write(sim, seed);
        leinao_close(sim);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    /* A child first: if libhdf5 crashes on this input, it is libhdf5's crash, not leinao's. */
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        int fd = open(report, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
#ifdef HAVE_DEATH_CALLBACK
        __sanitizer_set_death_callback(child_death);
#endif
        void *warm[2];
        backtrace(warm, 2); /* loads libgcc's unwinder now, not inside the signal handler */
        signal(SIGALRM, child_alarm);
        alarm(CHILD_SECONDS);
        exercise(path);
        _exit(CHILD_SURVIVED);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child)
        return 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_SURVIVED) {
        if (!blames_libhdf5(report)) {
            /* leinao's own crash (or one that names no library): shown, and fatal here */
            fprintf(stderr, "fuzz_checkpoint: the reader died in the child process (status "
                            "0x%x) and its report does not blame libhdf5:\n", (unsigned)status);
            print_report(report);
            abort();
        }
        remove(path);
        return 0; /* libhdf5 died on this input: skipped */
    }
    /* libhdf5 survives this input: now in-process, with coverage and the sanitizers */
    exercise(path);
    remove(path);
    return 0;
}
