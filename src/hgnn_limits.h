/*
 * hgnn_limits.h
 *		Upper bounds on the dimensions of a model.
 *
 * The options parser rejects a request beyond these bounds before training,
 * and the decoder rejects a stored model beyond them before allocating, so
 * that a typo or a forged header cannot request gigabytes.  The bounds are
 * far above the data sets of the HGNN paper, which have at most 4 tasks,
 * 65 classes and 4,096 features.  They are not tuned to any machine.  Plain
 * C, shared by the model math and the SQL layer.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_LIMITS_H
#define HGNN_LIMITS_H

#define HGNN_MAX_FEATURES 65536
#define HGNN_MAX_TASKS 1024
#define HGNN_MAX_CLASSES 1024
/* tasks * classes: the node count of the inter-class attention graph */
#define HGNN_MAX_CLASS_NODES 4096
#define HGNN_MAX_HIDDEN 4096
#define HGNN_MAX_GAT_HIDDEN 1024
#define HGNN_MAX_EMBEDDING 1024
#define HGNN_MAX_EPOCHS 1000000
#define HGNN_MAX_BATCH_PER_GROUP 4096
/* rank, task_rank and class_rank of the factored base models */
#define HGNN_MAX_RANK 1024
/*
 * batch_per_group * classes: the side of one task's intra-task graph, whose
 * n x n matrices take 64 MiB each at this size
 */
#define HGNN_MAX_TASK_BATCH_ROWS 4096
/* 64 Mi parameters are 256 MiB of float32, and Adam keeps three more copies */
#define HGNN_MAX_PARAMETERS (64 * 1024 * 1024)
/* bytes of one text label or task value */
#define HGNN_MAX_KEY_BYTES 65536

#endif							/* HGNN_LIMITS_H */
