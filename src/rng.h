/*
 * rng.h
 *		Seeded pseudo-random numbers for weight initialization and sampling.
 *
 * The generator is xoshiro256** (Blackman and Vigna, 2018) seeded through
 * splitmix64.  Integers and uniforms depend only on integer arithmetic and
 * exact IEEE double scaling, so one seed gives the same stream on every
 * platform.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_RNG_H
#define HGNN_RNG_H

#include <stdint.h>

typedef struct HgnnRng
{
	uint64_t	state[4];
} HgnnRng;

extern void hgnn_rng_seed(HgnnRng *rng, uint64_t seed);
extern uint64_t hgnn_rng_next(HgnnRng *rng);

/* Uniform double in [0, 1) with 53 random bits. */
extern double hgnn_rng_uniform(HgnnRng *rng);

/* Uniform integer in [0, n), without modulo bias; n must be > 0. */
extern uint64_t hgnn_rng_below(HgnnRng *rng, uint64_t n);

/* Standard normal deviate. */
extern double hgnn_rng_normal(HgnnRng *rng);

/* Normal deviate of mean 0 and standard deviation sd, cut at 2 sd. */
extern double hgnn_rng_truncated_normal(HgnnRng *rng, double sd);

/* Fisher-Yates shuffle of n ints in place. */
extern void hgnn_rng_shuffle(HgnnRng *rng, int *values, int n);

#endif							/* HGNN_RNG_H */
