// Its own config, so running the tests from this folder never picks up the config of a project around it.
export default { test: { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'] } };
