/*
 * ret_bench.c - RET throughput: the fast C core against the plain reference of [T] Algorithm 1.
 *
 * Sizes R requests x K offers up to 10^5 x 5*10^4 ([T] Table 4.1's ranges scaled up: 3 exchanges,
 * demand 1-20 kWh, offers 0-10 kWh, bids 22.39-42.84 JPY/kWh, W = 10 kWh, 5 % duplicate requests).
 * Each size runs the fast path several times and reports the median; the reference runs once per size
 * (it is quadratic), checks the results are identical, and gives the ratio. Writes bench/results/ret.json.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/c/ret_reference.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng_state = 42;
static uint64_t next_u64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int64_t uniform(int64_t lo, int64_t hi) { return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1)); }

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct instance {
    size_t r, k;
    v2g_ret_request *requests;
    v2g_ret_offer *offers;
    char *names; /* "E1".."E3", "C<n>", "EV<n>" packed */
} instance;

static instance generate(size_t r, size_t k) {
    instance in = {r, k, calloc(r, sizeof(v2g_ret_request)), calloc(k, sizeof(v2g_ret_offer)), calloc(r + k, 24)};
    static const char *exchanges[3] = {"E1", "E2", "E3"};
    size_t consumers = r - r / 20; /* about 5 % of requests repeat a consumer */
    for (size_t i = 0; i < r; i++) {
        size_t c = i < consumers ? i : (size_t)uniform(0, (int64_t)consumers - 1);
        char *name = in.names + 24 * c;
        snprintf(name, 24, "C%u", (unsigned)c);
        v2g_ret_request *q = &in.requests[i];
        q->exchange.bytes = (const uint8_t *)exchanges[c % 3];
        q->exchange.length = 2;
        q->consumer.bytes = (const uint8_t *)name;
        q->consumer.length = strlen(name);
        q->bid = uniform(22390000, 42840000);
        q->submitted_at = uniform(0, 3600);
        q->energy_wh = uniform(1, 20) * 1000;
        q->penalty_ppm = uniform(0, 9) == 0 ? (int32_t)uniform(100000, 900000) : V2G_PPM_ONE;
    }
    for (size_t j = 0; j < k; j++) {
        char *name = in.names + 24 * (r + j);
        snprintf(name, 24, "EV%u", (unsigned)j);
        in.offers[j].ev.bytes = (const uint8_t *)name;
        in.offers[j].ev.length = strlen(name);
        in.offers[j].energy_wh = uniform(0, 10000);
    }
    return in;
}

int main(int argc, char **argv) {
    const char *out_path = argc > 1 ? argv[1] : "bench/results/ret.json";
    size_t sizes[][2] = {{1000, 500}, {10000, 5000}, {100000, 50000}};
    size_t n_sizes = sizeof sizes / sizeof sizes[0];
    v2g_ret_exchange penalised[1] = {{{(const uint8_t *)"E3", 2}, 800000, 0}};
    FILE *json = fopen(out_path, "w");
    if (!json) { perror(out_path); return 1; }
    fprintf(json, "{\n  \"benchmark\": \"ret\",\n  \"unit\": \"ms\",\n  \"results\": [\n");
    printf("%10s %8s %14s %14s %10s\n", "requests", "offers", "fast median", "reference", "speed-up");
    int all_equal = 1;
    for (size_t s = 0; s < n_sizes; s++) {
        instance in = generate(sizes[s][0], sizes[s][1]);
        size_t ws_size = v2g_ret_workspace_size(in.r, in.k, 1);
        void *ws = malloc(ws_size);
        v2g_ret_allocation *fa = malloc(in.k * sizeof *fa), *ra = malloc(in.k * sizeof *ra);
        v2g_ret_outcome *fo = malloc(in.r * sizeof *fo), *ro = malloc(in.r * sizeof *ro);
        size_t fna = 0, fno = 0, rna = 0, rno = 0;
        enum { RUNS = 15 };
        double times[RUNS];
        for (int run = 0; run < RUNS; run++) {
            double t0 = now_ms();
            v2g_status st = v2g_ret_allocate(in.requests, in.r, in.offers, in.k, penalised, 1, 10000, fa, &fna, fo,
                                             &fno, ws, ws_size);
            times[run] = now_ms() - t0;
            if (st != V2G_OK) { fprintf(stderr, "v2g_ret_allocate: %s\n", v2g_strerror(st)); return 1; }
        }
        qsort(times, RUNS, sizeof times[0], cmp_double);
        fprintf(stderr, "  reference RET at %zu x %zu (quadratic; the largest size takes a minute or more)...\n",
                in.r, in.k);
        double t0 = now_ms();
        ref_ret(in.requests, in.r, in.offers, in.k, penalised, 1, 10000, ra, &rna, ro, &rno);
        double ref_ms = now_ms() - t0;
        int equal = fna == rna && fno == rno && memcmp(fa, ra, fna * sizeof *fa) == 0 &&
                    memcmp(fo, ro, fno * sizeof *fo) == 0;
        all_equal &= equal;
        double median = times[RUNS / 2];
        printf("%10zu %8zu %11.2f ms %11.1f ms %9.0fx %s\n", in.r, in.k, median, ref_ms, ref_ms / median,
               equal ? "" : "RESULTS DIFFER");
        fprintf(json, "    {\"requests\": %zu, \"offers\": %zu, \"fast_median_ms\": %.3f, \"fast_min_ms\": %.3f, "
                      "\"fast_runs\": %d, \"reference_ms\": %.1f, \"speedup\": %.1f, \"allocations\": %zu, "
                      "\"identical\": %s}%s\n",
                in.r, in.k, median, times[0], RUNS, ref_ms, ref_ms / median, fna, equal ? "true" : "false",
                s + 1 < n_sizes ? "," : "");
        free(ws); free(fa); free(ra); free(fo); free(ro);
        free(in.requests); free(in.offers); free(in.names);
    }
    fprintf(json, "  ]\n}\n");
    fclose(json);
    printf("wrote %s\n", out_path);
    return all_equal ? 0 : 1;
}
