/*
 * layers.c
 *		Forward and backward passes of the layers of the HGNN models.
 *
 * Each forward function sits beside its backward function, and the comment
 * above the pair gives the shape of every argument.  Defining
 * HGNN_PLANT_BUG=n breaks one backward function on purpose, so that
 * test/plant_bug.sh can show that the gradient tests catch the mistake.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "layers.h"

#include <math.h>
#include <string.h>

#ifndef HGNN_PLANT_BUG
#define HGNN_PLANT_BUG 0
#endif

/*
 * Smoothing of the row lengths in the attention layer: a row p is scaled by
 * 1 / sqrt(|p|^2 + eps^2), which is differentiable at p = 0 and within 1e-12
 * of the cosine for rows longer than 1e-6 / sqrt(2).
 */
#define HGNN_ATTENTION_EPS 1e-6

#ifdef HGNN_DOUBLE
#define real_exp exp
#else
#define real_exp expf
#endif

/*
 * Dense layer.
 *
 * X: n x in, W: in x out, b: out (NULL for no bias), Y: n x out.
 * dY: n x out; adds into dX: n x in, dW: in x out, db: out.
 */
void
hgnn_dense_forward(int n, int in, int out, const hgnn_real *X,
				   const hgnn_real *W, const hgnn_real *b, hgnn_real *Y)
{
	int			i;

	if (b != NULL)
	{
		for (i = 0; i < n; i++)
			memcpy(Y + (size_t) i * out, b, sizeof(hgnn_real) * out);
	}
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, in,
			  1.0, X, in, W, out, b != NULL ? 1.0 : 0.0, Y, out);
}

void
hgnn_dense_backward(int n, int in, int out, const hgnn_real *X,
					const hgnn_real *W, const hgnn_real *dY,
					hgnn_real *dX, hgnn_real *dW, hgnn_real *db)
{
	int			i,
				j;

	if (dW != NULL)
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, n,
				  1.0, X, in, dY, out, 1.0, dW, out);
#if HGNN_PLANT_BUG == 8
	db = NULL;					/* planted: the bias gradient is dropped */
#endif
	if (db != NULL)
	{
		for (i = 0; i < n; i++)
			for (j = 0; j < out; j++)
				db[j] += dY[(size_t) i * out + j];
	}
	if (dX != NULL)
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, in, out,
				  1.0, dY, out, W, out, 1.0, dX, in);
}

/*
 * Activation f of the hidden rows (tanh or relu).
 *
 * x, y: count values (may be the same buffer).
 * y, dy: count values; adds dy f'(x), computed from y, into dx: count
 * values.
 */
static const char *const activation_names[] = {
	[HGNN_ACT_TANH] = "tanh",
	[HGNN_ACT_RELU] = "relu",
};

const char *
hgnn_activation_name(int activation)
{
	if (activation < HGNN_ACT_TANH || activation > HGNN_ACT_LAST)
		return NULL;
	return activation_names[activation];
}

void
hgnn_activation_forward(HgnnActivation act, size_t count, const hgnn_real *x,
						hgnn_real *y)
{
	size_t		i;

	/* a loop per activation keeps the branch out of the tanh loop */
	if (act == HGNN_ACT_RELU)
	{
		for (i = 0; i < count; i++)
			y[i] = hgnn_activate(HGNN_ACT_RELU, x[i]);
		return;
	}
	for (i = 0; i < count; i++)
		y[i] = hgnn_tanh(x[i]);
}

void
hgnn_activation_backward(HgnnActivation act, size_t count, const hgnn_real *y,
						 const hgnn_real *dy, hgnn_real *dx)
{
	size_t		i;

	for (i = 0; i < count; i++)
	{
#if HGNN_PLANT_BUG == 4
		dx[i] = dy[i] * hgnn_activation_slope(act, y[i]);	/* planted:
															 * overwrites */
#else
		dx[i] += dy[i] * hgnn_activation_slope(act, y[i]);
#endif
	}
}

/*
 * Label-signed kernel graph layer of one task block of m rows.
 *
 * A_ij = s_ij exp(-||h_i - h_j||^2 / sigma), with s_ij = +1 when rows i and
 * j have the same label and -1 otherwise; the diagonal is 1.  The output is
 * Y = f(Z + A H), f the activation act.
 *
 * Forward: Z: m x h, H: m x h, label: m, sigma > 0; writes A: m x m (kept
 * for the backward pass) and Y: m x h.  work: m values.
 * Backward: H, A, Y as above, dY: m x h; adds into dZ: m x h and dH: m x h.
 * dH includes the path through A.  work: hgnn_kernel_graph_work_size.
 */
size_t
hgnn_kernel_graph_work_size(int m, int h)
{
	return (size_t) m * h + (size_t) m * m + (size_t) m;
}

void
hgnn_kernel_graph_forward(HgnnActivation act, int m, int h,
						  const hgnn_real *Z, const hgnn_real *H,
						  const int *label, double sigma, hgnn_real *A,
						  hgnn_real *Y, hgnn_real *work)
{
	hgnn_real  *sqnorm = work;
	int			i,
				j;

	/* squared distances from the Gram matrix: |hi|^2 + |hj|^2 - 2 hi.hj */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, h,
			  1.0, H, h, H, h, 0.0, A, m);
	for (i = 0; i < m; i++)
		sqnorm[i] = A[(size_t) i * m + i];
	for (i = 0; i < m; i++)
	{
		hgnn_real  *row = A + (size_t) i * m;

		for (j = 0; j < m; j++)
		{
			double		dist = sqnorm[i] + sqnorm[j] - 2.0 * row[j];
			double		kernel;

			/* rounding can leave a small negative distance */
			if (i == j || dist < 0.0)
				dist = 0.0;
			kernel = real_exp((hgnn_real) (-dist / sigma));
			row[j] = label[i] == label[j] ? kernel : -kernel;
		}
	}

	memcpy(Y, Z, sizeof(hgnn_real) * m * h);
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, h, m,
			  1.0, A, m, H, h, 1.0, Y, h);
	hgnn_activation_forward(act, (size_t) m * h, Y, Y);
}

/*
 * With D_ij = ||h_i - h_j||^2 and G = dL/dD, dL/dh_i through A is
 * 2 sum_j (G_ij + G_ji)(h_i - h_j).  With M = G + G^T that is
 * 2 (rowsum(M)_i h_i - (M H)_i), one gemm.
 */
void
hgnn_kernel_graph_backward(HgnnActivation act, int m, int h,
						   const hgnn_real *H, const hgnn_real *A,
						   const hgnn_real *Y,
						   const hgnn_real *dY, double sigma, hgnn_real *dZ,
						   hgnn_real *dH, hgnn_real *work)
{
	hgnn_real  *dpre = work;	/* m x h */
	hgnn_real  *M = work + (size_t) m * h;	/* m x m */
	hgnn_real  *rowsum = M + (size_t) m * m;	/* m */
	size_t		count = (size_t) m * h;
	size_t		k;
	int			i,
				j;

	for (k = 0; k < count; k++)
		dpre[k] = dY[k] * hgnn_activation_slope(act, Y[k]);
	if (dZ != NULL)
		hgnn_axpy((int) count, 1.0, dpre, 1, dZ, 1);
	if (dH == NULL)
		return;

	/* path through the product A H with A held fixed */
	hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, h, m,
			  1.0, A, m, dpre, h, 1.0, dH, h);

	/* path through A: dA = dpre H^T, then dD = -dA * A / sigma */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, h,
			  1.0, dpre, h, H, h, 0.0, M, m);
	for (k = 0; k < (size_t) m * m; k++)
		M[k] = -M[k] * A[k] / sigma;
	for (i = 0; i < m; i++)
	{
		M[(size_t) i * m + i] = 0;
		for (j = i + 1; j < m; j++)
		{
#if HGNN_PLANT_BUG == 1
			/* planted: uses dD in place of dD + dD^T */
			M[(size_t) j * m + i] = M[(size_t) i * m + j];
#else
			hgnn_real	sum = M[(size_t) i * m + j] + M[(size_t) j * m + i];

			M[(size_t) i * m + j] = sum;
			M[(size_t) j * m + i] = sum;
#endif
		}
	}
	for (i = 0; i < m; i++)
	{
		double		sum = 0.0;

		for (j = 0; j < m; j++)
			sum += M[(size_t) i * m + j];
		rowsum[i] = sum;
	}
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, h, m,
			  -2.0, M, m, H, h, 1.0, dH, h);
	for (i = 0; i < m; i++)
		hgnn_axpy(h, 2.0 * rowsum[i], H + (size_t) i * h, 1,
				  dH + (size_t) i * h, 1);
}

/*
 * Column-wise max pooling over a block of rows.
 *
 * Forward: X: m x h (m >= 1); writes y: h and arg: h, the row of the first
 * maximum of each column.
 * Backward: arg: h, dy: h; adds dy[j] into dX[arg[j]][j], dX: m x h.
 */
void
hgnn_maxpool_forward(int m, int h, const hgnn_real *X, hgnn_real *y, int *arg)
{
	int			i,
				j;

	memcpy(y, X, sizeof(hgnn_real) * h);
	for (j = 0; j < h; j++)
		arg[j] = 0;
	for (i = 1; i < m; i++)
	{
		const hgnn_real *row = X + (size_t) i * h;

		for (j = 0; j < h; j++)
		{
			if (row[j] > y[j])
			{
				y[j] = row[j];
				arg[j] = i;
			}
		}
	}
}

void
hgnn_maxpool_backward(int h, const int *arg, const hgnn_real *dy,
					  hgnn_real *dX)
{
	int			j;

	for (j = 0; j < h; j++)
	{
#if HGNN_PLANT_BUG == 7
		/* planted: row-major index computed with the wrong stride */
		dX[(size_t) arg[j] * (h - 1) + j] += dy[j];
#else
		dX[(size_t) arg[j] * h + j] += dy[j];
#endif
	}
}

/*
 * Row-softmax of the cosine similarities of the rows of P, the part that
 * hgnn_attention and hgnn_row_attention share.
 *
 * Forward: P: n x out; writes Q: n x out (rows of P scaled by 1 / norm),
 * norm: n (smoothed row lengths) and S: n x n.
 * Backward: Q, norm, S as above.  dS: n x n is the gradient of S and is
 * overwritten, and dQ: n x out is work.  Adds the gradient of P into dP:
 * n x out.
 */
static void
cosine_softmax_forward(int n, int out, const hgnn_real *P, hgnn_real *Q,
					   hgnn_real *norm, hgnn_real *S)
{
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		const hgnn_real *p = P + (size_t) i * out;
		hgnn_real  *q = Q + (size_t) i * out;
		double		length;

		length = sqrt(hgnn_dot(out, p, 1, p, 1) +
					  HGNN_ATTENTION_EPS * HGNN_ATTENTION_EPS);
		norm[i] = length;
		for (j = 0; j < out; j++)
			q[j] = p[j] / length;
	}

	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, out,
			  1.0, Q, out, Q, out, 0.0, S, n);
	for (i = 0; i < n; i++)
	{
		hgnn_real  *row = S + (size_t) i * n;
		double		max = row[0];
		double		sum = 0.0;

		for (j = 1; j < n; j++)
			if (row[j] > max)
				max = row[j];
		for (j = 0; j < n; j++)
		{
			row[j] = exp(row[j] - max);
			sum += row[j];
		}
		for (j = 0; j < n; j++)
			row[j] /= sum;
	}
}

static void
cosine_softmax_backward(int n, int out, const hgnn_real *Q,
						const hgnn_real *norm, const hgnn_real *S,
						hgnn_real *dS, hgnn_real *dQ, hgnn_real *dP)
{
	int			i,
				j;

	/* row softmax: dcos_ij = S_ij (dS_ij - sum_k S_ik dS_ik), in place */
	for (i = 0; i < n; i++)
	{
		const hgnn_real *srow = S + (size_t) i * n;
		hgnn_real  *drow = dS + (size_t) i * n;
		double		inner = 0.0;

		for (j = 0; j < n; j++)
			inner += srow[j] * drow[j];
#if HGNN_PLANT_BUG == 2
		inner = 0.0;			/* planted: softmax Jacobian without the
								 * row term */
#endif
		for (j = 0; j < n; j++)
			drow[j] = srow[j] * (drow[j] - inner);
	}

	/* cosines Q Q^T: dQ = (dcos + dcos^T) Q */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, n,
			  1.0, dS, n, Q, out, 0.0, dQ, out);
	hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, out, n,
			  1.0, dS, n, Q, out, 1.0, dQ, out);

	/* row scaling q = p / norm: dp = (dq - q (q . dq)) / norm */
	for (i = 0; i < n; i++)
	{
		const hgnn_real *q = Q + (size_t) i * out;
		const hgnn_real *dq = dQ + (size_t) i * out;
		hgnn_real  *dp = dP + (size_t) i * out;
		double		proj = hgnn_dot(out, q, 1, dq, 1);

#if HGNN_PLANT_BUG == 3
		proj = 0.0;				/* planted: treats the norm as a constant */
#endif
		for (j = 0; j < out; j++)
			dp[j] += (dq[j] - q[j] * proj) / norm[i];
	}
}

/*
 * Cosine-attention graph layer over n nodes.
 *
 * P = E U; q_i = p_i / sqrt(|p_i|^2 + eps^2); S = row-softmax(Q Q^T);
 * Y = tanh(S P).
 *
 * Forward: E: n x in, U: in x out; fills cache (P, Q: n x out, norm: n,
 * S: n x n, Y: n x out).
 * Backward: E, U, cache as above, dY: n x out; adds into dE: n x in and
 * dU: in x out.  The gradient runs through S P, the softmax, the cosines
 * and the row scaling.  work: hgnn_attention_work_size.
 */
size_t
hgnn_attention_work_size(int n, int out)
{
	return (size_t) n * n + 2 * (size_t) n * out;
}

void
hgnn_attention_forward(int n, int in, int out, const hgnn_real *E,
					   const hgnn_real *U, HgnnAttention *cache)
{
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, in,
			  1.0, E, in, U, out, 0.0, cache->P, out);
	cosine_softmax_forward(n, out, cache->P, cache->Q, cache->norm,
						   cache->S);
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, out, n,
			  1.0, cache->S, n, cache->P, out, 0.0, cache->Y, out);
	hgnn_activation_forward(HGNN_ACT_TANH, (size_t) n * out, cache->Y,
							cache->Y);
}

void
hgnn_attention_backward(int n, int in, int out, const hgnn_real *E,
						const hgnn_real *U, const HgnnAttention *cache,
						const hgnn_real *dY, hgnn_real *dE, hgnn_real *dU,
						hgnn_real *work)
{
	hgnn_real  *dpre = work;	/* n x out, reused for dQ */
	hgnn_real  *dS = work + (size_t) n * out;	/* n x n */
	hgnn_real  *dP = dS + (size_t) n * n;	/* n x out */
	size_t		count = (size_t) n * out;
	size_t		k;

	for (k = 0; k < count; k++)
		dpre[k] = dY[k] * (1 - cache->Y[k] * cache->Y[k]);

	/* Y = tanh(S P): dS = dpre P^T, dP = S^T dpre */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, out,
			  1.0, dpre, out, cache->P, out, 0.0, dS, n);
	hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, out, n,
			  1.0, cache->S, n, dpre, out, 0.0, dP, out);

	/* through S: dpre is no longer needed, so it takes dQ */
	cosine_softmax_backward(n, out, cache->Q, cache->norm, cache->S, dS,
							dpre, dP);

	/* P = E U */
	if (dU != NULL)
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, n,
				  1.0, E, in, dP, out, 1.0, dU, out);
	if (dE != NULL)
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, in, out,
				  1.0, dP, out, U, out, 1.0, dE, in);
}

/*
 * Cosine-attention graph layer over the m rows of one task block, the
 * intra-task graph of the regression model.
 *
 * P = H Wg; S = row-softmax of the cosine similarities of the rows of P,
 * as in hgnn_attention; Y = f(Z + S H), f the activation act.  The
 * attention weights come
 * from the projection P, but S multiplies H itself, as A multiplies H in
 * the classifier's kernel graph layer, so Y keeps the width h of Z.
 *
 * Forward: Z: m x h, H: m x h, Wg: h x g; fills cache (P, Q: m x g,
 * norm: m, S: m x m, Y: m x h).
 * Backward: H, Wg, cache as above, dY: m x h; adds into dZ: m x h,
 * dH: m x h and dWg: h x g.  dH includes the path through S.
 * work: hgnn_row_attention_work_size.
 */
size_t
hgnn_row_attention_work_size(int m, int h, int g)
{
	return (size_t) m * h + (size_t) m * m + 2 * (size_t) m * g;
}

void
hgnn_row_attention_forward(HgnnActivation act, int m, int h, int g,
						   const hgnn_real *Z, const hgnn_real *H,
						   const hgnn_real *Wg, HgnnAttention *cache)
{
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, g, h,
			  1.0, H, h, Wg, g, 0.0, cache->P, g);
	cosine_softmax_forward(m, g, cache->P, cache->Q, cache->norm, cache->S);
	memcpy(cache->Y, Z, sizeof(hgnn_real) * m * h);
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, h, m,
			  1.0, cache->S, m, H, h, 1.0, cache->Y, h);
	hgnn_activation_forward(act, (size_t) m * h, cache->Y, cache->Y);
}

void
hgnn_row_attention_backward(HgnnActivation act, int m, int h, int g,
							const hgnn_real *H, const hgnn_real *Wg,
							const HgnnAttention *cache,
							const hgnn_real *dY, hgnn_real *dZ,
							hgnn_real *dH, hgnn_real *dWg, hgnn_real *work)
{
	hgnn_real  *dpre = work;	/* m x h */
	hgnn_real  *dS = dpre + (size_t) m * h; /* m x m */
	hgnn_real  *dQ = dS + (size_t) m * m;	/* m x g */
	hgnn_real  *dP = dQ + (size_t) m * g;	/* m x g */
	size_t		count = (size_t) m * h;
	size_t		k;

	for (k = 0; k < count; k++)
		dpre[k] = dY[k] * hgnn_activation_slope(act, cache->Y[k]);
	if (dZ != NULL)
		hgnn_axpy((int) count, 1.0, dpre, 1, dZ, 1);
	if (dH == NULL && dWg == NULL)
		return;

	/* Y = f(Z + S H): dS = dpre H^T, and dH gets S^T dpre */
	hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, h,
			  1.0, dpre, h, H, h, 0.0, dS, m);
	if (dH != NULL)
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, h, m,
				  1.0, cache->S, m, dpre, h, 1.0, dH, h);

	/* through S into P = H Wg */
	memset(dP, 0, sizeof(hgnn_real) * m * g);
	cosine_softmax_backward(m, g, cache->Q, cache->norm, cache->S, dS, dQ,
							dP);
	if (dWg != NULL)
		hgnn_gemm(CblasRowMajor, CblasTrans, CblasNoTrans, h, g, m,
				  1.0, H, h, dP, g, 1.0, dWg, g);
#if HGNN_PLANT_BUG == 10
	dH = NULL;					/* planted: drops the path from S into H */
#endif
	if (dH != NULL)
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, h, g,
				  1.0, dP, g, Wg, g, 1.0, dH, h);
}

/*
 * Softmax cross-entropy of m rows over the classes present in one task.
 *
 * Forward: logits: m x n_classes, mask: n_classes (nonzero = present),
 * label: m, each a present class; weight scales the loss of every row.
 * Writes probs: m x n_classes, 0 for absent classes, and returns
 * weight * sum_i -log probs[i][label[i]].
 * Backward: probs, mask, label, weight as above; adds
 * weight (probs - onehot(label)) into dlogits: m x n_classes on the present
 * classes.
 */
double
hgnn_softmax_ce_forward(int m, int n_classes, const hgnn_real *logits,
						const uint8_t *mask, const int *label, double weight,
						hgnn_real *probs)
{
	double		loss = 0.0;
	int			i,
				k;

	for (i = 0; i < m; i++)
	{
		const hgnn_real *z = logits + (size_t) i * n_classes;
		hgnn_real  *p = probs + (size_t) i * n_classes;
		double		max = -INFINITY;
		double		sum = 0.0;

		for (k = 0; k < n_classes; k++)
			if (mask[k] && z[k] > max)
				max = z[k];
		for (k = 0; k < n_classes; k++)
		{
			double		e = mask[k] ? exp(z[k] - max) : 0.0;

			p[k] = e;
			sum += e;
		}
		for (k = 0; k < n_classes; k++)
			p[k] /= sum;
		loss -= z[label[i]] - max - log(sum);
	}
	return weight * loss;
}

void
hgnn_softmax_ce_backward(int m, int n_classes, const hgnn_real *probs,
						 const uint8_t *mask, const int *label, double weight,
						 hgnn_real *dlogits)
{
	int			i,
				k;

#if HGNN_PLANT_BUG == 5
	weight = 1.0;				/* planted: ignores the per-task mean */
#endif
	for (i = 0; i < m; i++)
	{
		const hgnn_real *p = probs + (size_t) i * n_classes;
		hgnn_real  *d = dlogits + (size_t) i * n_classes;

		for (k = 0; k < n_classes; k++)
		{
			if (!mask[k])
				continue;
			d[k] += weight * (p[k] - (k == label[i] ? 1.0 : 0.0));
		}
	}
}

/*
 * Squared error of m predictions.
 *
 * Forward: pred: m, target: m; returns weight * sum_i (pred_i -
 * target_i)^2.
 * Backward: pred, target, weight as above; adds
 * 2 weight (pred - target) into dpred: m.
 */
double
hgnn_squared_error_forward(int m, const hgnn_real *pred,
						   const hgnn_real *target, double weight)
{
	double		sum = 0.0;
	int			i;

	for (i = 0; i < m; i++)
	{
		double		diff = (double) pred[i] - target[i];

		sum += diff * diff;
	}
	return weight * sum;
}

void
hgnn_squared_error_backward(int m, const hgnn_real *pred,
							const hgnn_real *target, double weight,
							hgnn_real *dpred)
{
	double		factor = 2.0 * weight;
	int			i;

#if HGNN_PLANT_BUG == 11
	factor = weight;			/* planted: drops the factor 2 of d/dx x^2 */
#endif
	for (i = 0; i < m; i++)
		dpred[i] += factor * ((double) pred[i] - target[i]);
}
