// The entry of main.bundle.js (see scripts/bundle.mjs).
import { run } from '../cli';

run();
