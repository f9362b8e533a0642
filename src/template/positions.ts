/**
 * Offset → file position in a policy body whose first line is `firstLine` of its file
 * (1-based line and column, the way every diagnostic prints them).
 */
export function positionsIn(text: string, firstLine: number): (offset: number) => { line: number; column: number } {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  return (offset) => {
    // Binary search: a body can have tens of thousands of lines and as many placeholders.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + firstLine, column: offset - (lineStarts[low] as number) + 1 };
  };
}
