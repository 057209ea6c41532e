import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// The generator as a standard tfjs layers model (model.json + one weights file), the
// format `tf.loadLayersModel` reads in the renderer, produced and read back without
// touching the file system so the trainer decides where the bytes go.

export const GENERATOR_WEIGHTS_FILE = 'weights.bin';

export interface ExportedModel {
  /** The model.json document. */
  modelJson: Record<string, unknown>;
  weights: ArrayBuffer;
}

export async function exportLayersModel(model: tfl.LayersModel): Promise<ExportedModel> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts?.weightSpecs || !artifacts.weightData) throw new Error('the model saved no weights');
  const data = artifacts.weightData;
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [GENERATOR_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    },
    weights,
  };
}

export async function importLayersModel(exported: ExportedModel): Promise<tfl.LayersModel> {
  const manifest = exported.modelJson.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: exported.modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: manifest.flatMap((group) => group.weights),
      weightData: exported.weights,
    }),
  );
}
