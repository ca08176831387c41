/*
 * base_model.c
 *		Output tensors of the base models and the trace-norm penalty.
 *
 * The output tensor O is T x a x C, row-major, task t's layer O_t at
 * O + t*a*C.  DMTL, TNRMTL and STL store O itself.  The factored models
 * store, in this order inside the O block of the parameters:
 *
 *	LAF		L: a x r, S: T x r x C
 *	Tucker	G: r1 x r2 x r3, A1: T x r1, A2: a x r2, A3: C x r3
 *	TT		G1: T x r, G2: r x a x C
 *
 * with r = rank, r1 = task rank, r2 = rank, r3 = class rank.  Defining
 * HGNN_PLANT_BUG=n breaks one gradient on purpose (see layers.c).
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "base_model.h"

#include <math.h>
#include <string.h>

#ifndef HGNN_PLANT_BUG
#define HGNN_PLANT_BUG 0
#endif

static const char *const base_model_names[] = {
	[HGNN_BASE_DMTL] = "dmtl",
	[HGNN_BASE_TNRMTL] = "tnrmtl",
	[HGNN_BASE_LAF] = "dmtrl_laf",
	[HGNN_BASE_TUCKER] = "dmtrl_tucker",
	[HGNN_BASE_TT] = "dmtrl_tt",
	[HGNN_BASE_STL] = "stl",
};

const char *
hgnn_base_model_name(int base_model)
{
	if (base_model < 0 || base_model > HGNN_BASE_LAST)
		return NULL;
	return base_model_names[base_model];
}

int
hgnn_base_task_rank(const HgnnConfig *cfg)
{
	if (cfg->task_rank > 0)
		return cfg->task_rank;
	return cfg->rank < cfg->n_tasks ? cfg->rank : cfg->n_tasks;
}

int
hgnn_base_class_rank(const HgnnConfig *cfg)
{
	if (cfg->class_rank > 0)
		return cfg->class_rank;
	return cfg->rank < cfg->n_classes ? cfg->rank : cfg->n_classes;
}

int
hgnn_base_factored(const HgnnConfig *cfg)
{
	return cfg->base_model == HGNN_BASE_LAF ||
		cfg->base_model == HGNN_BASE_TUCKER ||
		cfg->base_model == HGNN_BASE_TT;
}

size_t
hgnn_base_param_count(const HgnnConfig *cfg, int a)
{
	size_t		T = cfg->n_tasks;
	size_t		C = cfg->n_classes;
	size_t		r = cfg->rank;
	size_t		r1 = hgnn_base_task_rank(cfg);
	size_t		r3 = hgnn_base_class_rank(cfg);

	switch (cfg->base_model)
	{
		case HGNN_BASE_LAF:
			return a * r + T * r * C;
		case HGNN_BASE_TUCKER:
			return r1 * r * r3 + T * r1 + a * r + C * r3;
		case HGNN_BASE_TT:
			return T * r + r * a * C;
		default:
			return T * a * C;
	}
}

/* Tucker keeps X, Y, dX and dY; the other models need no scratch. */
size_t
hgnn_base_work_size(const HgnnConfig *cfg, int a)
{
	size_t		T = cfg->n_tasks;
	size_t		r2 = cfg->rank;
	size_t		r3 = hgnn_base_class_rank(cfg);

	if (cfg->base_model != HGNN_BASE_TUCKER)
		return 0;
	return 2 * (T * r2 * r3 + T * a * r3);
}

void
hgnn_base_compose(const HgnnConfig *cfg, int a, const hgnn_real *f,
				  hgnn_real *O, hgnn_real *work)
{
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			r = cfg->rank;
	int			r1 = hgnn_base_task_rank(cfg);
	int			r3 = hgnn_base_class_rank(cfg);
	size_t		nX = (size_t) T * r * r3;

	switch (cfg->base_model)
	{
		case HGNN_BASE_LAF:
			hgnn_laf_forward(T, a, C, r, f, f + (size_t) a * r, O);
			break;
		case HGNN_BASE_TUCKER:
			{
				const hgnn_real *G = f;
				const hgnn_real *A1 = G + (size_t) r1 * r * r3;
				const hgnn_real *A2 = A1 + (size_t) T * r1;
				const hgnn_real *A3 = A2 + (size_t) a * r;

				hgnn_tucker_forward(T, a, C, r1, r, r3, G, A1, A2, A3,
									work, work + nX, O);
			}
			break;
		case HGNN_BASE_TT:
			hgnn_tt_forward(T, a, C, r, f, f + (size_t) T * r, O);
			break;
		default:
			break;
	}
}

/*
 * Backward of hgnn_base_compose.  Recomputes nothing: for Tucker, work
 * must still hold what hgnn_base_compose left there.
 */
void
hgnn_base_compose_backward(const HgnnConfig *cfg, int a, const hgnn_real *f,
						   const hgnn_real *dO, hgnn_real *df,
						   hgnn_real *work)
{
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			r = cfg->rank;
	int			r1 = hgnn_base_task_rank(cfg);
	int			r3 = hgnn_base_class_rank(cfg);
	size_t		nX = (size_t) T * r * r3;
	size_t		nY = (size_t) T * a * r3;

	switch (cfg->base_model)
	{
		case HGNN_BASE_LAF:
			hgnn_laf_backward(T, a, C, r, f, f + (size_t) a * r, dO, df,
							  df + (size_t) a * r);
			break;
		case HGNN_BASE_TUCKER:
			{
				size_t		nG = (size_t) r1 * r * r3;
				size_t		n1 = (size_t) T * r1;
				size_t		n2 = (size_t) a * r;

				hgnn_tucker_backward(T, a, C, r1, r, r3, f, f + nG,
									 f + nG + n1, f + nG + n1 + n2,
									 work, work + nX, dO, df, df + nG,
									 df + nG + n1, df + nG + n1 + n2,
									 work + nX + nY, work + 2 * nX + nY);
			}
			break;
		case HGNN_BASE_TT:
			hgnn_tt_backward(T, a, C, r, f, f + (size_t) T * r, dO, df,
							 df + (size_t) T * r);
			break;
		default:
			break;
	}
}

/* ---------------------------------------------------------------- */
/* LAF																*/
/* ---------------------------------------------------------------- */

/* L: a x r, S: T x r x C, O: T x a x C */
void
hgnn_laf_forward(int T, int a, int C, int r, const hgnn_real *L,
				 const hgnn_real *S, hgnn_real *O)
{
	int			t;

	for (t = 0; t < T; t++)
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, a, C, r, 1.0,
				  L, r, S + (size_t) t * r * C, C, 0.0,
				  O + (size_t) t * a * C, C);
}

/* L: a x r, S: T x r x C, dO: T x a x C, dL: a x r, dS: T x r x C */
void
hgnn_laf_backward(int T, int a, int C, int r, const hgnn_real *L,
				  const hgnn_real *S, const hgnn_real *dO, hgnn_real *dL,
				  hgnn_real *dS)
{
	int			t;

	for (t = 0; t < T; t++)
	{
		const hgnn_real *dOt = dO + (size_t) t * a * C;

		/* dL += dO_t S_t^T */
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, a, r, C, 1.0,
				  dOt, C, S + (size_t) t * r * C, C, 1.0, dL, r);
#if HGNN_PLANT_BUG == 13
		if (t > 0)
			continue;			/* planted: only task 0 gets dS */
#endif
		/* dS_t += L^T dO_t */
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, C, a, 1.0,
				  L, r, dOt, C, 1.0, dS + (size_t) t * r * C, C);
	}
}

/* ---------------------------------------------------------------- */
/* Tucker															*/
/* ---------------------------------------------------------------- */

/*
 * G: r1 x r2 x r3, A1: T x r1, A2: a x r2, A3: C x r3,
 * X: T x r2 x r3 (out), Y: T x a x r3 (out), O: T x a x C (out)
 */
void
hgnn_tucker_forward(int T, int a, int C, int r1, int r2, int r3,
					const hgnn_real *G, const hgnn_real *A1,
					const hgnn_real *A2, const hgnn_real *A3, hgnn_real *X,
					hgnn_real *Y, hgnn_real *O)
{
	int			t;

	/* X = A1 G_(1), the task mode product */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, r2 * r3, r1,
			  1.0, A1, r1, G, r2 * r3, 0.0, X, r2 * r3);
	for (t = 0; t < T; t++)
	{
		hgnn_real  *Yt = Y + (size_t) t * a * r3;

		/* Y_t = A2 X_t, then O_t = Y_t A3^T */
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, a, r3, r2, 1.0,
				  A2, r2, X + (size_t) t * r2 * r3, r3, 0.0, Yt, r3);
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, a, C, r3, 1.0,
				  Yt, r3, A3, r3, 0.0, O + (size_t) t * a * C, C);
	}
}

/*
 * G, A1, A2, A3, X, Y as in hgnn_tucker_forward; dO: T x a x C;
 * dG: r1 x r2 x r3, dA1: T x r1, dA2: a x r2, dA3: C x r3 (added to);
 * dX: T x r2 x r3 and dY: T x a x r3 are scratch, overwritten.
 */
void
hgnn_tucker_backward(int T, int a, int C, int r1, int r2, int r3,
					 const hgnn_real *G, const hgnn_real *A1,
					 const hgnn_real *A2, const hgnn_real *A3,
					 const hgnn_real *X, const hgnn_real *Y,
					 const hgnn_real *dO, hgnn_real *dG, hgnn_real *dA1,
					 hgnn_real *dA2, hgnn_real *dA3, hgnn_real *dX,
					 hgnn_real *dY)
{
	int			t;

	for (t = 0; t < T; t++)
	{
		const hgnn_real *dOt = dO + (size_t) t * a * C;
		const hgnn_real *Yt = Y + (size_t) t * a * r3;
		const hgnn_real *Xt = X + (size_t) t * r2 * r3;
		hgnn_real  *dYt = dY + (size_t) t * a * r3;
		hgnn_real  *dXt = dX + (size_t) t * r2 * r3;

		/* dY_t = dO_t A3, dA3 += dO_t^T Y_t */
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, a, r3, C, 1.0,
				  dOt, C, A3, r3, 0.0, dYt, r3);
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, r3, a, 1.0,
				  dOt, C, Yt, r3, 1.0, dA3, r3);
		/* dX_t = A2^T dY_t, dA2 += dY_t X_t^T */
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, r2, r3, a, 1.0,
				  A2, r2, dYt, r3, 0.0, dXt, r3);
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, a, r2, r3, 1.0,
				  dYt, r3, Xt, r3, 1.0, dA2, r2);
	}
	/* dG += A1^T dX, dA1 += dX G_(1)^T */
#if HGNN_PLANT_BUG != 14		/* planted: drops the core's gradient */
	hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, r1, r2 * r3, T, 1.0,
			  A1, r1, dX, r2 * r3, 1.0, dG, r2 * r3);
#endif
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, r1, r2 * r3, 1.0,
			  dX, r2 * r3, G, r2 * r3, 1.0, dA1, r1);
}

/* ---------------------------------------------------------------- */
/* Tensor train														*/
/* ---------------------------------------------------------------- */

/* G1: T x r, G2: r x a x C, O: T x a x C */
void
hgnn_tt_forward(int T, int a, int C, int r, const hgnn_real *G1,
				const hgnn_real *G2, hgnn_real *O)
{
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, a * C, r, 1.0,
			  G1, r, G2, a * C, 0.0, O, a * C);
}

/* G1: T x r, G2: r x a x C, dO: T x a x C, dG1: T x r, dG2: r x a x C */
void
hgnn_tt_backward(int T, int a, int C, int r, const hgnn_real *G1,
				 const hgnn_real *G2, const hgnn_real *dO, hgnn_real *dG1,
				 hgnn_real *dG2)
{
	double		scale = 1.0;

#if HGNN_PLANT_BUG == 15
	scale = 0.5;				/* planted: halves dG1 */
#endif
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, r, a * C, scale,
			  dO, a * C, G2, a * C, 1.0, dG1, r);
	hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, a * C, T, 1.0,
			  G1, r, dO, a * C, 1.0, dG2, a * C);
}

/* ---------------------------------------------------------------- */
/* Trace norm														*/
/* ---------------------------------------------------------------- */

/*
 * Nuclear norm of the row-major m x n matrix M.  When P is not NULL,
 * writes U V^T (m x n) of the thin SVD M = U S V^T into it.  LAPACK is
 * column-major, so it reads the buffer as M^T = V S U^T, whose U V^T in
 * column-major order is the row-major U V^T of M.  Returns NaN when the
 * SVD fails.
 */
static double
nuclear_norm(int m, int n, const hgnn_real *M, hgnn_real *P)
{
	int			rows = n;		/* of M^T, as LAPACK reads it */
	int			cols = m;
	int			k = m < n ? m : n;
	hgnn_real  *A = hgnn_alloc_array((size_t) m * n, sizeof(hgnn_real));
	hgnn_real  *s = hgnn_alloc_array(k, sizeof(hgnn_real));
	hgnn_real  *U = hgnn_alloc_array((size_t) rows * k, sizeof(hgnn_real));
	hgnn_real  *VT = hgnn_alloc_array((size_t) k * cols, sizeof(hgnn_real));
	int		   *iwork = hgnn_alloc_array(8 * (size_t) k, sizeof(int));
	hgnn_real	query;
	hgnn_real  *work;
	int			lwork = -1;
	int			info = 0;
	double		sum = 0.0;
	int			i;

	memcpy(A, M, sizeof(hgnn_real) * m * n);
	hgnn_gesdd_("S", &rows, &cols, A, &rows, s, U, &rows, VT, &k, &query,
				&lwork, iwork, &info, 1);
	lwork = info == 0 ? (int) query + 1 : 1;
	work = hgnn_alloc_array(lwork, sizeof(hgnn_real));
	if (info == 0)
		hgnn_gesdd_("S", &rows, &cols, A, &rows, s, U, &rows, VT, &k, work,
					&lwork, iwork, &info, 1);
	if (info != 0)
		sum = NAN;
	else
	{
		for (i = 0; i < k; i++)
			sum += s[i];
	}
	if (P != NULL && info == 0)
		hgnn_gemm(CblasColMajor, CblasNoTrans, CblasNoTrans, rows, cols, k,
				  1.0, U, rows, VT, k, 0.0, P, rows);
	else if (P != NULL)
	{
		for (i = 0; i < m * n; i++)
			P[i] = NAN;
	}
	hgnn_free(work);
	hgnn_free(iwork);
	hgnn_free(VT);
	hgnn_free(U);
	hgnn_free(s);
	hgnn_free(A);
	return sum;
}

/*
 * Unfolding of O: T x a x C along mode (0 task, 1 feature, 2 class) into
 * M, whose rows are the indices of that mode and whose columns run over
 * the other two modes in their order.  fold adds M back instead, scaled.
 */
static void
unfold(int T, int a, int C, int mode, const hgnn_real *O, hgnn_real *M)
{
	int			t,
				i,
				k;

	for (t = 0; t < T; t++)
		for (i = 0; i < a; i++)
			for (k = 0; k < C; k++)
			{
				hgnn_real	v = O[((size_t) t * a + i) * C + k];

				if (mode == 0)
					M[(size_t) t * a * C + (size_t) i * C + k] = v;
				else if (mode == 1)
					M[(size_t) i * T * C + (size_t) t * C + k] = v;
				else
					M[(size_t) k * T * a + (size_t) t * a + i] = v;
			}
}

static void
fold_add(int T, int a, int C, int mode, const hgnn_real *M, double scale,
		 hgnn_real *O)
{
	int			t,
				i,
				k;

	for (t = 0; t < T; t++)
		for (i = 0; i < a; i++)
			for (k = 0; k < C; k++)
			{
				size_t		at;

				if (mode == 0)
					at = (size_t) t * a * C + (size_t) i * C + k;
				else if (mode == 1)
					at = (size_t) i * T * C + (size_t) t * C + k;
				else
					at = (size_t) k * T * a + (size_t) t * a + i;
				O[((size_t) t * a + i) * C + k] += scale * M[at];
			}
}

/* rows of the unfolding of each mode */
static int
mode_rows(int T, int a, int C, int mode)
{
	if (mode == 0)
		return T;
	if (mode == 1)
		return a;
	return C;
}

/* O: T x a x C */
double
hgnn_trace_norm_forward(int T, int a, int C, const hgnn_real *O)
{
	size_t		count = (size_t) T * a * C;
	hgnn_real  *M = hgnn_alloc_array(count, sizeof(hgnn_real));
	double		sum = 0.0;
	int			mode;

	for (mode = 0; mode < 3; mode++)
	{
		int			m = mode_rows(T, a, C, mode);

		unfold(T, a, C, mode, O, M);
		sum += nuclear_norm(m, (int) (count / m), M, NULL);
	}
	hgnn_free(M);
	return sum / 3.0;
}

/* O: T x a x C, dO: T x a x C (added to) */
void
hgnn_trace_norm_backward(int T, int a, int C, const hgnn_real *O,
						 double weight, hgnn_real *dO)
{
	size_t		count = (size_t) T * a * C;
	hgnn_real  *M = hgnn_alloc_array(count, sizeof(hgnn_real));
	hgnn_real  *P = hgnn_alloc_array(count, sizeof(hgnn_real));
	double		scale = weight / 3.0;
	int			mode;

#if HGNN_PLANT_BUG == 16
	scale = weight;				/* planted: sums the modes, not the mean */
#endif
	for (mode = 0; mode < 3; mode++)
	{
		int			m = mode_rows(T, a, C, mode);

		unfold(T, a, C, mode, O, M);
		nuclear_norm(m, (int) (count / m), M, P);
		fold_add(T, a, C, mode, P, scale, dO);
	}
	hgnn_free(P);
	hgnn_free(M);
}
