import packageJson from '../../package.json' with { type: 'json' };

export const STUDIO_VERSION: string = packageJson.version;
