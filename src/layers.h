/*
 * layers.h
 *		Forward and backward passes of the layers of the HGNN models.
 *
 * Every matrix is row-major and contiguous.  Every backward function adds
 * its gradients into the output buffers, so the caller zeroes them once and
 * a tensor used by several layers collects the sum of their contributions.
 * A NULL gradient buffer skips that gradient.  Matrix products go through
 * hgnn_gemm.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_LAYERS_H
#define HGNN_LAYERS_H

#include "linalg.h"

#include <math.h>

/*
 * Saved activations of one cosine-attention layer over n nodes whose
 * projection P has width out.  Each pointer addresses the count of values
 * stated.
 */
typedef struct HgnnAttention
{
	hgnn_real  *P;				/* n x out: E U, or H Wg for row attention */
	hgnn_real  *Q;				/* n x out: rows of P scaled to unit length */
	hgnn_real  *norm;			/* n: smoothed length of each row of P */
	hgnn_real  *S;				/* n x n: row-softmax of Q Q^T */
	hgnn_real  *Y;				/* n x out: tanh(S P); for row attention
								 * n x h: tanh(Z + S H) */
} HgnnAttention;

/*
 * Hyperbolic tangent of the scalar type.  The float version computes
 * (1 - e) / (1 + e) with e = expf(-2|x|), because glibc's tanhf took a
 * third of a training step.  Its absolute error is at most 1e-7 (checked
 * by test_train), so near 0 the relative error is larger than tanhf's.
 * The double build, used by the gradient tests, calls tanh.
 */
static inline hgnn_real
hgnn_tanh(hgnn_real x)
{
#ifdef HGNN_DOUBLE
	return tanh(x);
#else
	float		e = expf(-2.0f * fabsf(x));
	float		t = (1.0f - e) / (1.0f + e);

	return x < 0.0f ? -t : t;
#endif
}

/* Dense layer Y = X W + b. */
extern void hgnn_dense_forward(int n, int in, int out, const hgnn_real *X,
							   const hgnn_real *W, const hgnn_real *b,
							   hgnn_real *Y);
extern void hgnn_dense_backward(int n, int in, int out, const hgnn_real *X,
								const hgnn_real *W, const hgnn_real *dY,
								hgnn_real *dX, hgnn_real *dW, hgnn_real *db);

/* Elementwise y = tanh(x) over count values. */
extern void hgnn_tanh_forward(size_t count, const hgnn_real *x, hgnn_real *y);
extern void hgnn_tanh_backward(size_t count, const hgnn_real *y,
							   const hgnn_real *dy, hgnn_real *dx);

/* Label-signed kernel graph layer of one task block, Y = tanh(Z + A H). */
extern void hgnn_kernel_graph_forward(int m, int h, const hgnn_real *Z,
									  const hgnn_real *H, const int *label,
									  double sigma, hgnn_real *A,
									  hgnn_real *Y, hgnn_real *work);
extern void hgnn_kernel_graph_backward(int m, int h, const hgnn_real *H,
									   const hgnn_real *A, const hgnn_real *Y,
									   const hgnn_real *dY, double sigma,
									   hgnn_real *dZ, hgnn_real *dH,
									   hgnn_real *work);
extern size_t hgnn_kernel_graph_work_size(int m, int h);

/* Column-wise max over m rows. */
extern void hgnn_maxpool_forward(int m, int h, const hgnn_real *X,
								 hgnn_real *y, int *arg);
extern void hgnn_maxpool_backward(int h, const int *arg, const hgnn_real *dy,
								  hgnn_real *dX);

/* Cosine-attention graph layer over n nodes, Y = tanh(S P). */
extern void hgnn_attention_forward(int n, int in, int out, const hgnn_real *E,
								   const hgnn_real *U, HgnnAttention *cache);
extern void hgnn_attention_backward(int n, int in, int out,
									const hgnn_real *E, const hgnn_real *U,
									const HgnnAttention *cache,
									const hgnn_real *dY, hgnn_real *dE,
									hgnn_real *dU, hgnn_real *work);
extern size_t hgnn_attention_work_size(int n, int out);

/* Cosine-attention graph layer of one task block, Y = tanh(Z + S H). */
extern void hgnn_row_attention_forward(int m, int h, int g,
									   const hgnn_real *Z, const hgnn_real *H,
									   const hgnn_real *Wg,
									   HgnnAttention *cache);
extern void hgnn_row_attention_backward(int m, int h, int g,
										const hgnn_real *H,
										const hgnn_real *Wg,
										const HgnnAttention *cache,
										const hgnn_real *dY, hgnn_real *dZ,
										hgnn_real *dH, hgnn_real *dWg,
										hgnn_real *work);
extern size_t hgnn_row_attention_work_size(int m, int h, int g);

/* Softmax cross-entropy over the classes that mask marks present. */
extern double hgnn_softmax_ce_forward(int m, int n_classes,
									  const hgnn_real *logits,
									  const uint8_t *mask, const int *label,
									  double weight, hgnn_real *probs);
extern void hgnn_softmax_ce_backward(int m, int n_classes,
									 const hgnn_real *probs,
									 const uint8_t *mask, const int *label,
									 double weight, hgnn_real *dlogits);

/* Squared error of m predictions against their targets. */
extern double hgnn_squared_error_forward(int m, const hgnn_real *pred,
										 const hgnn_real *target,
										 double weight);
extern void hgnn_squared_error_backward(int m, const hgnn_real *pred,
										const hgnn_real *target,
										double weight, hgnn_real *dpred);

#endif							/* HGNN_LAYERS_H */
