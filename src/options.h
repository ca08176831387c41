/*
 * options.h
 *		The jsonb options of hgnn_fit and hgnn_train.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_OPTIONS_H
#define HGNN_OPTIONS_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "model.h"

typedef struct HgnnOptions
{
	HgnnConfig	cfg;			/* training settings; dimensions left at 0 */
	int			kind;			/* requested HgnnKind, or 0: from the label
								 * type */
	int			verbose;		/* NOTICE with the loss every few epochs */
	int			skip_nulls;		/* skip rows with NULLs instead of failing */
	uint32		given;			/* bit i set: option i of the list in
								 * options.c was in the jsonb */
} HgnnOptions;

/*
 * Fills opts with the defaults overridden by options (NULL for none).  An
 * unknown key, a value of the wrong type or out of range raises an error
 * that names the key, the value and the allowed range.
 */
extern void hgnn_options_parse(Jsonb *options, HgnnOptions *opts);

/*
 * Sets the kind trained and gives every option that the jsonb left out the
 * default of that kind (hgnn_config_defaults).  Call it once the kind is
 * known, before reading opts->cfg.
 */
extern void hgnn_options_set_kind(HgnnOptions *opts, HgnnKind kind);

/*
 * Returns the model kind for labels of label_kind: the requested kind, or
 * without a request regression for real labels and classification for
 * the others.  Returns 0 when the request does not fit the labels: only
 * integer labels can train either kind.
 */
extern HgnnKind hgnn_options_model_kind(const HgnnOptions *opts,
										HgnnKeyKind label_kind);

/*
 * Returns the effective options as a JSON object, palloc'd.  opts->kind
 * must be set to the kind trained.
 */
extern char *hgnn_options_to_json(const HgnnOptions *opts);

/* Appends a double to buf in shortest round-trip form, valid JSON. */
extern void hgnn_append_json_double(StringInfo buf, double value);

#endif							/* HGNN_OPTIONS_H */
