// Express 4 is installed under the alias `express4` (no types of its own); its API as used by
// these tests is the one @types/express describes.
declare module 'express4' {
  import express = require('express');
  export = express;
}
