import { sandboxRecordUrl, setSandboxViewerBase } from './sandbox-record-url';

describe('sandboxRecordUrl', () => {
  afterEach(() => setSandboxViewerBase(undefined));

  it('should be undefined while no record viewer runs', () => {
    expect(sandboxRecordUrl('contact', '6660E22A-49A1-4D70-9A46-3500F60066EB')).toBeUndefined();
  });

  it("should point at the viewer's record page once it runs", () => {
    setSandboxViewerBase('http://127.0.0.1:8199/');
    expect(sandboxRecordUrl('Contact', '6660E22A-49A1-4D70-9A46-3500F60066EB')).toBe(
      'http://127.0.0.1:8199/sandbox/contact/6660e22a-49a1-4d70-9a46-3500f60066eb',
    );
  });

  it('should encode what it is given', () => {
    setSandboxViewerBase('http://127.0.0.1:8199');
    expect(sandboxRecordUrl('a/b', '../x')).toBe('http://127.0.0.1:8199/sandbox/a%2Fb/..%2Fx');
  });
});
