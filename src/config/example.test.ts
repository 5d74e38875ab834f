import fs from 'node:fs';
import path from 'node:path';
import { validateConfig } from './load';

describe('config/leadflow.config.example.json', () => {
  it('should be a valid configuration', () => {
    const file = path.resolve(__dirname, '../../config/leadflow.config.example.json');
    const config = validateConfig(JSON.parse(fs.readFileSync(file, 'utf8')), file);
    expect(config.serve.schedules.qualify).toBe('5,35 * * * *');
  });
});
