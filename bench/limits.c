/* limits.c — what the memory system of the machine it runs on allows, for comparison with
 * leinao's delivery measured in the same run (bench/limits, bench/all):
 *
 *   stream-read   sum of a large double array (GB/s)
 *   stream-write  stores of a constant into a large double array (GB/s, the bytes stored)
 *   rmw-double    a[idx[i]] += w over a double array of a given size, idx precomputed and
 *                 uniformly random (as delivery's scattered adds into ring buffers: the index
 *                 stream is read once, like the synapse entries)
 *   rmw-float     the same into a float array with the same number of cells (a float ring)
 *
 * each with 1 and 2 threads. With T threads every thread has its own array of SIZE / T bytes and
 * its own index stream (delivery: each thread owns its neurons' share of the ring buffers), so the
 * footprint is the same for any T. The index streams (--updates, 32 Mi indices: 128 MiB) are far
 * larger than the last-level cache, as delivery's synapse arrays are: read from memory, not
 * from a cache (with a small --updates the rates come out higher). The random adds run plain
 * and with a software prefetch PREFETCH updates ahead (as src/net/static_synapse.c); the
 * faster of the two is the limit.
 * The prefetched adds also run on an array in transparent huge pages (madvise(MADV_HUGEPAGE)
 * before the first touch; "huge": 1), to tell what the TLB costs at each footprint; the line
 * {"test": "hugepages", ...} says how many bytes the kernel really gave as huge pages.
 * Every test runs REPEATS times, the tests alternating, each run at least --min-seconds (0.25;
 * passes over the same data, found by an untimed first run), and the median is printed.
 *
 * Output: one JSON object per line (test, size_bytes, threads, median rate, all rates):
 *   {"test": "rmw-double", "size_bytes": 93830304, "threads": 2, "prefetch": 1,
 *    "updates_per_s": ..., "gb_per_s": ..., "runs": [...]}
 * gb_per_s of a random test counts the useful bytes (the element read and written back, and the
 * 4-byte index): 2 * element + 4 per update.
 *
 * usage: leinao_limits [--sizes BYTES,BYTES,...] [--stream-bytes BYTES] [--updates N]
 *                      [--repeats R] [--threads 1,2] [--min-seconds S]
 */
#define _GNU_SOURCE /* madvise's MADV_HUGEPAGE */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PREFETCH 32
#define MAX_SIZES 16
#define MAX_THREADS 16
#define MAX_REPEATS 32

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64: the index streams (any good generator: only uniformity matters) */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

enum kind { STREAM_READ, STREAM_WRITE, RMW_DOUBLE, RMW_FLOAT };
static const char *const kind_name[] = {"stream-read", "stream-write", "rmw-double", "rmw-float"};

typedef struct job {
    enum kind kind;
    int prefetch;
    size_t n;          /* elements of this thread's array */
    double *d;         /* stream arrays and rmw-double */
    float *f;          /* rmw-float */
    uint32_t *idx;     /* this thread's index stream */
    size_t n_updates;
    int passes;        /* times over the array (streams) or the index stream (random adds) */
    double result;     /* keeps the compiler from dropping the reads */
    pthread_barrier_t *barrier;
    double t0, t1, cpu; /* wall start and end; the thread's CPU time */
} job;

static void *work(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(j->barrier);
    j->t0 = now();
    double c0 = cpu_now();
    for (int pass = 0; pass < j->passes; pass++)
    switch (j->kind) {
    case STREAM_READ: {
        /* an integer sum of the doubles' bits: it vectorises, so the adds are never what
         * limits the rate */
        uint64_t s = 0;
        const uint64_t *a = (const uint64_t *)j->d;
        for (size_t i = 0; i < j->n; i++)
            s += a[i];
        j->result += (double)(s & 1);
        break;
    }
    case STREAM_WRITE: {
        double *a = j->d, v = j->result;
        for (size_t i = 0; i < j->n; i++)
            a[i] = v;
        break;
    }
    case RMW_DOUBLE: {
        double *a = j->d;
        const uint32_t *x = j->idx;
        const size_t m = j->n_updates;
        size_t i = 0;
        if (j->prefetch)
            for (; i + PREFETCH < m; i++) {
                __builtin_prefetch(a + x[i + PREFETCH], 1, 3);
                a[x[i]] += 0.5;
            }
        for (; i < m; i++)
            a[x[i]] += 0.5;
        break;
    }
    case RMW_FLOAT: {
        float *a = j->f;
        const uint32_t *x = j->idx;
        const size_t m = j->n_updates;
        size_t i = 0;
        if (j->prefetch)
            for (; i + PREFETCH < m; i++) {
                __builtin_prefetch(a + x[i + PREFETCH], 1, 3);
                a[x[i]] += 0.5f;
            }
        for (; i < m; i++)
            a[x[i]] += 0.5f;
        break;
    }
    }
    j->t1 = now();
    j->cpu = cpu_now() - c0;
    return NULL;
}

/* One timed run of a test on T threads: the rate in operations (bytes for streams, updates for
 * random adds) per second, from the first start to the last end; *share: the threads' CPU time
 * over T x that wall time (below 1 where other processes took the cores: a loaded machine). */
static double run_once(job *jobs, int T, double ops, double *share)
{
    pthread_t th[MAX_THREADS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)T);
    for (int t = 0; t < T; t++) {
        jobs[t].barrier = &barrier;
        pthread_create(&th[t], NULL, work, &jobs[t]);
    }
    double t0 = 1e300, t1 = 0, cpu = 0;
    for (int t = 0; t < T; t++) {
        pthread_join(th[t], NULL);
        cpu += jobs[t].cpu;
        t0 = jobs[t].t0 < t0 ? jobs[t].t0 : t0;
        t1 = jobs[t].t1 > t1 ? jobs[t].t1 : t1;
    }
    pthread_barrier_destroy(&barrier);
    *share = cpu / (T * (t1 - t0));
    return ops / (t1 - t0);
}

static int parse_list(const char *s, double *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        out[n++] = strtod(s, &end);
        if (end == s)
            return -1;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    double s[MAX_REPEATS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

typedef struct test {
    enum kind kind;
    int prefetch, threads, huge;
    double size; /* bytes of the footprint, all threads together */
    int passes;  /* set by a first, untimed run: enough for about --min-seconds */
    double runs[MAX_REPEATS], share[MAX_REPEATS];
} test;

int main(int argc, char **argv)
{
    double sizes[MAX_SIZES] = {262144, 3.0e6, 93.8e6}, threads_d[MAX_THREADS] = {1, 2};
    int n_sizes = 3, n_threads = 2, repeats = 3;
    /* a timed run lasts at least this long: far more than a scheduler's time slice */
    double min_seconds = 0.25;
    double stream_bytes = 512.0 * 1048576, updates = 32.0 * 1048576;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "usage: see the head of bench/limits.c\n");
            return 2;
        }
        i++;
        if (!strcmp(a, "--sizes"))
            n_sizes = parse_list(v, sizes, MAX_SIZES);
        else if (!strcmp(a, "--threads"))
            n_threads = parse_list(v, threads_d, MAX_THREADS);
        else if (!strcmp(a, "--stream-bytes"))
            stream_bytes = strtod(v, NULL);
        else if (!strcmp(a, "--updates"))
            updates = strtod(v, NULL);
        else if (!strcmp(a, "--min-seconds"))
            min_seconds = strtod(v, NULL);
        else if (!strcmp(a, "--repeats"))
            repeats = atoi(v);
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
    }
    if (n_sizes <= 0 || n_threads <= 0 || repeats < 1 || repeats > MAX_REPEATS ||
        stream_bytes < 1e6 || updates < 1e4) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    int max_t = 1;
    for (int k = 0; k < n_threads; k++) {
        if (threads_d[k] < 1 || threads_d[k] > MAX_THREADS) {
            fprintf(stderr, "threads must be 1 .. %d\n", MAX_THREADS);
            return 2;
        }
        max_t = (int)threads_d[k] > max_t ? (int)threads_d[k] : max_t;
    }
    double max_rmw = 0;
    for (int k = 0; k < n_sizes; k++)
        max_rmw = sizes[k] > max_rmw ? sizes[k] : max_rmw;
    double max_size = stream_bytes > max_rmw ? stream_bytes : max_rmw;

    /* one buffer for every test (the largest footprint), split between threads; index streams
     * per thread, drawn for the largest array and reduced per test (x % n: uniform enough for
     * n << 2^32) into a second buffer before the timing starts */
    size_t m = (size_t)updates;
    double *buf = malloc((size_t)max_size + 64 * (size_t)max_t);
    uint32_t *raw = malloc(m * sizeof *raw), *idx = malloc(m * sizeof *idx);
    if (!buf || !raw || !idx) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(buf, 0, (size_t)max_size);
    /* the huge-page array: 2 MiB aligned, advised before the first touch */
    const size_t huge_page = 2u << 20;
    size_t hbytes = ((size_t)max_rmw + 64 * (size_t)max_t + huge_page - 1) / huge_page * huge_page;
    void *hbuf = NULL;
    if (posix_memalign(&hbuf, huge_page, hbytes)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int advised = madvise(hbuf, hbytes, MADV_HUGEPAGE) == 0;
    memset(hbuf, 0, hbytes);
    long huge_kb = -1;
    FILE *smaps = fopen("/proc/self/smaps_rollup", "r");
    if (smaps) {
        char line[256];
        while (fgets(line, sizeof line, smaps))
            if (sscanf(line, "AnonHugePages: %ld kB", &huge_kb) == 1)
                break;
        fclose(smaps);
    }
    uint64_t seed = 12345;
    for (size_t i = 0; i < m; i++)
        raw[i] = (uint32_t)(next(&seed) >> 32);

    /* the tests, in the order they alternate */
    static test tests[(2 + 6 * MAX_SIZES) * MAX_THREADS];
    int n_tests = 0;
    for (int k = 0; k < n_threads; k++) {
        int T = (int)threads_d[k];
        tests[n_tests++] = (test){STREAM_READ, 0, T, 0, stream_bytes, 0, {0}, {0}};
        tests[n_tests++] = (test){STREAM_WRITE, 0, T, 0, stream_bytes, 0, {0}, {0}};
        for (int s = 0; s < n_sizes; s++)
            for (int kind = RMW_DOUBLE; kind <= RMW_FLOAT; kind++)
                for (int v = 0; v < 3; v++) /* plain, prefetched, prefetched in huge pages */
                    tests[n_tests++] =
                        (test){(enum kind)kind, v > 0, T, v == 2, sizes[s], 0, {0}, {0}};
    }
    for (int r = 0; r < repeats; r++) {
        for (int q = 0; q < n_tests; q++) {
            test *x = &tests[q];
            const int T = x->threads;
            job jobs[MAX_THREADS];
            /* cells per thread: a double array of size / T bytes, or a float array with as
             * many cells */
            size_t cells = (size_t)(x->size / 8.0 / T);
            if (cells < 1)
                cells = 1;
            size_t per_thread_updates = m / (size_t)T;
            double ops;
            for (int t = 0; t < T; t++) {
                jobs[t] = (job){.kind = x->kind, .prefetch = x->prefetch, .n = cells};
                char *base = (char *)(x->huge ? hbuf : buf) + (size_t)t * (cells * 8 + 64);
                jobs[t].d = (double *)base;
                jobs[t].f = (float *)base;
                jobs[t].idx = idx + (size_t)t * per_thread_updates;
                jobs[t].n_updates = per_thread_updates;
                jobs[t].result = 1.0;
                jobs[t].passes = x->passes ? x->passes : 1;
            }
            if (x->kind >= RMW_DOUBLE) {
                for (size_t i = 0; i < per_thread_updates * (size_t)T; i++)
                    idx[i] = raw[i] % (uint32_t)cells;
                /* warm the array into whatever cache holds it, as a running network's is */
                for (int t = 0; t < T; t++)
                    memset(jobs[t].d, 0, cells * (x->kind == RMW_DOUBLE ? 8 : 4));
                ops = (double)(per_thread_updates * (size_t)T);
            } else {
                ops = (double)(cells * (size_t)T) * 8.0;
            }
            if (!x->passes) {
                /* untimed calibration: one pass, then as many as min_seconds takes */
                double unused, rate = run_once(jobs, T, ops, &unused);
                x->passes = (int)(min_seconds * rate / ops) + 1;
                for (int t = 0; t < T; t++)
                    jobs[t].passes = x->passes;
            }
            x->runs[r] = run_once(jobs, T, ops * x->passes, &x->share[r]);
            for (int t = 0; t < T; t++)
                if (jobs[t].result == 12345.678) /* never: uses the sum */
                    fputc('!', stderr);
        }
    }
    printf("{\"test\": \"hugepages\", \"advised\": %d, \"array_bytes\": %zu, "
           "\"anon_huge_bytes\": %ld}\n", advised, hbytes, huge_kb * 1024);
    for (int q = 0; q < n_tests; q++) {
        test *x = &tests[q];
        double med = median(x->runs, repeats);
        printf("{\"test\": \"%s\", \"threads\": %d", kind_name[x->kind], x->threads);
        if (x->kind >= RMW_DOUBLE) {
            double elem = x->kind == RMW_DOUBLE ? 8.0 : 4.0;
            double cells = (double)(size_t)(x->size / 8.0 / x->threads) * x->threads;
            printf(", \"size_bytes\": %.0f, \"cells\": %.0f, \"prefetch\": %d, \"huge\": %d, "
                   "\"updates_per_s\": %.6g, \"gb_per_s\": %.6g",
                   cells * elem, cells, x->prefetch, x->huge, med, med * (2 * elem + 4) * 1e-9);
        } else {
            printf(", \"size_bytes\": %.0f, \"gb_per_s\": %.6g", x->size, med * 1e-9);
        }
        printf(", \"cpu_share\": %.3f, \"passes\": %d, \"runs\": [",
               median(x->share, repeats), x->passes);
        for (int r = 0; r < repeats; r++)
            printf("%s%.6g", r ? ", " : "", x->runs[r]);
        printf("]}\n");
    }
    free(buf);
    free(hbuf);
    free(raw);
    free(idx);
    return 0;
}
