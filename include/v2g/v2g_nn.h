/*
 * v2g_nn.h - small neural networks for forecasting on a gateway CPU ([P]
 * §IV.A, [T] §6.3): an LSTM and a multi-layer perceptron for regression,
 * trained on mean squared error by backpropagation (through time, for the
 * LSTM) and Adam.
 *
 * A model is a shape and one flat array of doubles (the parameters), laid out
 * as below. Every call works in caller-provided memory: the parameter count,
 * the workspace size and the serialized size are asked for first. Nothing
 * allocates, nothing keeps state between calls, results are bit-identical on
 * every run.
 *
 * LSTM (kind V2G_NN_LSTM): `layers` stacked layers of widths hidden[0..layers),
 * fed a sequence x of `steps` rows of `inputs` values; the last step's top
 * hidden state goes through a linear output layer. For layer l with input
 * width n (inputs for l = 0, hidden[l-1] otherwise) and width h, in order:
 *     W  (4h × n, row-major)   U (4h × h)   b (4h)
 * with the four gate blocks of 4h in the order i, f, g, o:
 *     i = σ(W_i x + U_i h' + b_i)   f = σ(W_f x + U_f h' + b_f)
 *     g = tanh(W_g x + U_g h' + b_g)   o = σ(W_o x + U_o h' + b_o)
 *     c = f ⊙ c' + i ⊙ g            h = o ⊙ tanh(c)
 * (h', c' the previous step's, zero before the first). Then the output layer:
 *     V (outputs × hidden[layers-1])   a (outputs)      y = V h_top + a
 *
 * MLP (kind V2G_NN_MLP): `layers` hidden layers (0 allowed: linear regression)
 * of widths hidden[..], tanh activations, a linear output layer; layer by
 * layer W (out × in, row-major) then b (out). steps must be 1.
 *
 * Loss: L = (1/outputs) Σ_k (y_k − target_k)².
 */
#ifndef V2G_NN_H
#define V2G_NN_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define V2G_NN_LSTM 1
#define V2G_NN_MLP  2
/** The most layers a shape may have. */
#define V2G_NN_MAX_LAYERS 8

/** A network's architecture. */
typedef struct v2g_nn_shape {
    int32_t kind;                        /* V2G_NN_LSTM or V2G_NN_MLP */
    int32_t inputs;                      /* features per step (LSTM) or per sample (MLP), >= 1 */
    int32_t outputs;                     /* regression targets, >= 1 */
    int32_t layers;                      /* LSTM: 1..MAX; MLP hidden layers: 0..MAX */
    int32_t hidden[V2G_NN_MAX_LAYERS];   /* widths of the first `layers` entries, each >= 1 */
} v2g_nn_shape;

/** Number of parameters (doubles) of a shape. */
V2G_API V2G_NODISCARD v2g_status v2g_nn_param_count(const v2g_nn_shape *shape, size_t *count);

/** Bytes of workspace one forward or gradient call over `steps` steps needs (steps = 1 for an MLP). */
V2G_API V2G_NODISCARD v2g_status v2g_nn_workspace_size(const v2g_nn_shape *shape, int32_t steps, size_t *bytes);

/**
 * Initial parameters from `seed`: weights uniform in ±sqrt(6 / (fan_in + fan_out))
 * (Glorot), biases 0 except the LSTM forget-gate biases, 1. The stream is
 * SplitMix64, so every platform draws the same model.
 */
V2G_API V2G_NODISCARD v2g_status v2g_nn_init(const v2g_nn_shape *shape, uint64_t seed, double *params, size_t count);

/** Prediction for one sample: x is steps × inputs (row-major), y receives `outputs` values. */
V2G_API V2G_NODISCARD v2g_status v2g_nn_forward(const v2g_nn_shape *shape, const double *params, size_t count,
                                                const double *x, int32_t steps, double *y,
                                                void *workspace, size_t workspace_size);

/**
 * Loss of one sample and its gradient: *loss receives L; dL/dparams is ADDED
 * to grad (count doubles), so a mini-batch accumulates over its samples.
 * y (may be NULL) receives the prediction.
 */
V2G_API V2G_NODISCARD v2g_status v2g_nn_gradient(const v2g_nn_shape *shape, const double *params, size_t count,
                                                 const double *x, int32_t steps, const double *target,
                                                 double *loss, double *y, double *grad,
                                                 void *workspace, size_t workspace_size);

/** Adam's settings and step counter (Kingma & Ba 2015); step starts at 0. */
typedef struct v2g_adam {
    double learning_rate;   /* e.g. 1e-3 */
    double beta1;           /* e.g. 0.9 */
    double beta2;           /* e.g. 0.999 */
    double epsilon;         /* e.g. 1e-8 */
    int64_t step;           /* updates done; incremented by each call */
} v2g_adam;

/**
 * One Adam update: params -= lr · m̂ / (sqrt(v̂) + eps) with the bias-corrected
 * moments of grad. m and v (count doubles each) start at zero and carry over
 * between calls.
 */
V2G_API V2G_NODISCARD v2g_status v2g_adam_update(v2g_adam *adam, double *params, const double *grad,
                                                 double *m, double *v, size_t count);

/**
 * Sample-weighted average of `models` parameter arrays of one shape
 * (federated averaging): out = Σ_j w_j p_j / Σ_j w_j. Weights must be >= 0
 * with a positive sum. out may alias none of the inputs.
 */
V2G_API V2G_NODISCARD v2g_status v2g_nn_average(const double *const *params, const double *weights, size_t models,
                                                size_t count, double *out);

/**
 * The byte format of a model, little-endian:
 *   "V2GNN001" (8 bytes) | u32 kind | u32 inputs | u32 outputs | u32 layers |
 *   u32 hidden[layers] | u64 count | f64 params[count] (IEEE-754 binary64)
 * Its SHA-256 identifies the model (the ledger's model-update transaction).
 */
V2G_API V2G_NODISCARD v2g_status v2g_nn_serialized_size(const v2g_nn_shape *shape, size_t *bytes);
V2G_API V2G_NODISCARD v2g_status v2g_nn_serialize(const v2g_nn_shape *shape, const double *params, size_t count,
                                                  uint8_t *out, size_t out_size);
/** Reads a model; *count receives the parameter count, which must fit `capacity`. V2G_E_INVALID on a bad format. */
V2G_API V2G_NODISCARD v2g_status v2g_nn_deserialize(const uint8_t *in, size_t in_size, v2g_nn_shape *shape,
                                                    double *params, size_t capacity, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* V2G_NN_H */
