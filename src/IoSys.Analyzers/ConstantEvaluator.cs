using System;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace IoSys.Analyzers;

/// <summary>
/// Evaluates a constant integer expression from syntax alone: literals, parentheses, casts, unary and binary
/// arithmetic. The analyzer's cheap first try at a known-size type's <c>static long Size =&gt; 0x1000;</c>, which may be
/// declared in another file than the access. Anything else (e.g. a reference to a const field) is "unknown" (null); the
/// analyzer then asks the compilation's semantic model for that file, and only if that fails too is the size unknown
/// and the check left to run time.
/// </summary>
internal static class ConstantEvaluator
{
    public static long? Evaluate(ExpressionSyntax? expression, int depth = 0)
    {
        if (expression is null || depth > 32)
        {
            return null;
        }

        try
        {
            return expression switch
            {
                LiteralExpressionSyntax literal => RegisterModelBuilder.ToLong(literal.Token.Value) is var v && literal.Token.Value is not null and not string and not char and not bool and not double and not float and not decimal ? v : null,
                ParenthesizedExpressionSyntax p => Evaluate(p.Expression, depth + 1),
                CastExpressionSyntax c => Evaluate(c.Expression, depth + 1),
                CheckedExpressionSyntax c => Evaluate(c.Expression, depth + 1),
                PrefixUnaryExpressionSyntax u => Unary(u.Kind(), Evaluate(u.Operand, depth + 1)),
                BinaryExpressionSyntax b => Binary(b.Kind(), Evaluate(b.Left, depth + 1), Evaluate(b.Right, depth + 1)),
                _ => null,
            };
        }
        catch (ArithmeticException)
        {
            return null;
        }
    }

    private static long? Unary(SyntaxKind kind, long? operand) => operand is not { } v ? null : kind switch
    {
        SyntaxKind.UnaryMinusExpression => -v,
        SyntaxKind.UnaryPlusExpression => v,
        SyntaxKind.BitwiseNotExpression => ~v,
        _ => null,
    };

    private static long? Binary(SyntaxKind kind, long? left, long? right)
    {
        if (left is not { } l || right is not { } r)
        {
            return null;
        }

        return kind switch
        {
            SyntaxKind.AddExpression => l + r,
            SyntaxKind.SubtractExpression => l - r,
            SyntaxKind.MultiplyExpression => l * r,
            SyntaxKind.DivideExpression => l / r,
            SyntaxKind.ModuloExpression => l % r,
            SyntaxKind.LeftShiftExpression => l << (int)r,
            SyntaxKind.RightShiftExpression => l >> (int)r,
            SyntaxKind.BitwiseOrExpression => l | r,
            SyntaxKind.BitwiseAndExpression => l & r,
            SyntaxKind.ExclusiveOrExpression => l ^ r,
            _ => null,
        };
    }
}
