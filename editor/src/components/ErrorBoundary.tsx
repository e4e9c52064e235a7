import { Component, type ReactNode } from 'react';

/** Never a blank screen: a rendering error shows what happened and a way back. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="signin">
        <div className="card" role="alert">
          <h1>Something went wrong</h1>
          <p className="error">{this.state.error.message}</p>
          <p>Your draft is kept in this browser. Reload the page to continue.</p>
          <button className="primary" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      </main>
    );
  }
}
