// Keeps a part of the page that throws while rendering (a file whose content passed the checks but
// still surprises a chart) from blanking the whole page: the part is replaced by its message.
import { Component, type ReactNode } from "react";

interface Props {
  /** what could not be shown, e.g. "This report" */
  readonly what: string;
  readonly children: ReactNode;
  /** a new value (another file) clears the error */
  readonly resetKey: unknown;
}

export class ErrorBoundary extends Component<Props, { error: Error | null; key: unknown }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: Error | null; key: unknown }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override render() {
    if (this.state.error) {
      return <div className="banner bad" data-testid="render-error"><strong>{this.props.what} could not be drawn:</strong> <span className="pre">{this.state.error.message}</span></div>;
    }
    return this.props.children;
  }
}
