/*
 * rng.c
 *		xoshiro256** generator, uniforms, normals and shuffling.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "rng.h"

#include <math.h>

static uint64_t
splitmix64_next(uint64_t *x)
{
	uint64_t	z;

	*x += UINT64_C(0x9E3779B97F4A7C15);
	z = *x;
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline uint64_t
rotate_left(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/*
 * Seeds the four state words from splitmix64, which never yields an
 * all-zero state, the one state xoshiro cannot leave.
 */
void
hgnn_rng_seed(HgnnRng *rng, uint64_t seed)
{
	uint64_t	x = seed;
	int			i;

	for (i = 0; i < 4; i++)
		rng->state[i] = splitmix64_next(&x);
}

uint64_t
hgnn_rng_next(HgnnRng *rng)
{
	uint64_t   *s = rng->state;
	uint64_t	result = rotate_left(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotate_left(s[3], 45);
	return result;
}

double
hgnn_rng_uniform(HgnnRng *rng)
{
	return (double) (hgnn_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/*
 * Rejects the draws above the largest multiple of n, so that every residue
 * is equally likely.
 */
uint64_t
hgnn_rng_below(HgnnRng *rng, uint64_t n)
{
	uint64_t	limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t	x;

	do
		x = hgnn_rng_next(rng);
	while (x >= limit);
	return x % n;
}

/*
 * Ratio-of-uniforms method of Kinderman and Monahan with the quadratic
 * bounds of Leva ("A fast normal random number generator", ACM TOMS 18(4),
 * 1992).  The point (u, v) is accepted when
 * v^2 <= -4 u^2 log(u), and the deviate is v / u.  The two quadratic bounds
 * decide all but about 1% of the points without a logarithm.  The result
 * is one division of uniforms, so a libm whose log differs in the last bit
 * changes a deviate only when a point falls within that bit of the boundary.
 */
double
hgnn_rng_normal(HgnnRng *rng)
{
	for (;;)
	{
		double		u = 1.0 - hgnn_rng_uniform(rng);	/* in (0, 1] */
		double		v = 1.7156 * (hgnn_rng_uniform(rng) - 0.5);
		double		x = u - 0.449871;
		double		y = fabs(v) + 0.386595;
		double		q = x * x + y * (0.19600 * y - 0.25472 * x);

		if (q < 0.27597)
			return v / u;
		if (q > 0.27846)
			continue;
		if (v * v <= -4.0 * u * u * log(u))
			return v / u;
	}
}

double
hgnn_rng_truncated_normal(HgnnRng *rng, double sd)
{
	double		z;

	do
		z = hgnn_rng_normal(rng);
	while (fabs(z) > 2.0);
	return z * sd;
}

void
hgnn_rng_shuffle(HgnnRng *rng, int *values, int n)
{
	int			i;

	for (i = n - 1; i > 0; i--)
	{
		int			j = (int) hgnn_rng_below(rng, (uint64_t) i + 1);
		int			tmp = values[i];

		values[i] = values[j];
		values[j] = tmp;
	}
}
