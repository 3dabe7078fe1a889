/** The package version, sent in `user-agent`. A test keeps it equal to package.json's. */
export const VERSION = '0.2.0';
