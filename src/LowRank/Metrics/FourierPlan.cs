using System.Numerics;

namespace LowRank.Metrics;

/// <summary>
/// Discrete Fourier transform of one fixed length n, <c>F_k = Σ_t x_t e^{−2πikt/n}</c> (no scaling): an
/// iterative radix-2 FFT when n is a power of two, Bluestein's chirp-z algorithm otherwise (three radix-2
/// transforms of length m ≥ 2n − 1, the chirp filter's transform computed once per plan).
/// </summary>
/// <remarks>
/// Bluestein: with <c>w_k = e^{−iπk²/n}</c>, <c>kt = (k² + t² − (k − t)²)/2</c> gives
/// <c>F_k = w_k Σ_t (x_t w_t) conj(w_{k−t})</c>, a convolution done by FFTs of length m. The chirp uses
/// k² mod 2n so its phase stays exact for large k. A plan is immutable and may be shared between threads;
/// each call needs its own workspace of <see cref="WorkspaceLength"/> values.
/// </remarks>
internal sealed class FourierPlan
{
    private readonly int _m; // radix-2 length
    private readonly double[] _cos; // [m/2] cos(2πj/m)
    private readonly double[] _sin; // [m/2] sin(2πj/m)
    private readonly int[] _bitReversed; // [m]
    private readonly Complex[]? _chirp; // [n] w_k
    private readonly Complex[]? _filterSpectrum; // [m] FFT of the conjugate chirp, wrapped

    public FourierPlan(int length)
    {
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The transform length must be positive.");
        }

        Length = length;
        bool powerOfTwo = (length & (length - 1)) == 0;
        _m = powerOfTwo ? length : (int)BitOperations.RoundUpToPowerOf2((uint)(2 * length - 1));
        _cos = new double[Math.Max(1, _m / 2)];
        _sin = new double[_cos.Length];
        for (int j = 0; j < _m / 2; j++)
        {
            (_sin[j], _cos[j]) = Math.SinCos(2 * Math.PI * j / _m);
        }

        _bitReversed = new int[_m];
        int bits = BitOperations.Log2((uint)_m);
        for (int i = 0; i < _m; i++)
        {
            _bitReversed[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
        }

        if (powerOfTwo)
        {
            return;
        }

        _chirp = new Complex[length];
        _filterSpectrum = new Complex[_m];
        long period = 2L * length;
        for (int k = 0; k < length; k++)
        {
            long square = (long)k * k % period;
            _chirp[k] = Complex.FromPolarCoordinates(1, -Math.PI * square / length);
        }

        _filterSpectrum[0] = Complex.Conjugate(_chirp[0]);
        for (int k = 1; k < length; k++)
        {
            _filterSpectrum[k] = Complex.Conjugate(_chirp[k]);
            _filterSpectrum[_m - k] = Complex.Conjugate(_chirp[k]);
        }

        Radix2(_filterSpectrum, inverse: false);
    }

    /// <summary>n.</summary>
    public int Length { get; }

    /// <summary>Values of workspace <see cref="Forward"/> needs.</summary>
    public int WorkspaceLength => _m;

    /// <summary>Transforms <paramref name="data"/> [n] in place; <paramref name="workspace"/> [WorkspaceLength] is scratch.</summary>
    public void Forward(Span<Complex> data, Span<Complex> workspace)
    {
        if (data.Length != Length || workspace.Length < _m)
        {
            throw new ArgumentException($"Expected data [{Length}] and workspace [≥{_m}], got [{data.Length}] and [{workspace.Length}].", nameof(data));
        }

        if (_chirp is null)
        {
            Radix2(data, inverse: false);
            return;
        }

        // a = (x ⊙ w, zero-padded to m); a ← IFFT(FFT(a) ⊙ FFT(conj chirp)); F = w ⊙ a[0..n).
        Span<Complex> a = workspace[.._m];
        a.Clear();
        for (int k = 0; k < Length; k++)
        {
            a[k] = data[k] * _chirp[k];
        }

        Radix2(a, inverse: false);
        Complex[] filter = _filterSpectrum!;
        for (int k = 0; k < _m; k++)
        {
            a[k] *= filter[k];
        }

        Radix2(a, inverse: true);
        double scale = 1.0 / _m;
        for (int k = 0; k < Length; k++)
        {
            data[k] = a[k] * _chirp[k] * scale;
        }
    }

    /// <summary>In-place radix-2 transform of length m (no scaling); <paramref name="inverse"/> uses e^{+2πi…}.</summary>
    private void Radix2(Span<Complex> a, bool inverse)
    {
        int m = _m;
        for (int i = 0; i < m; i++)
        {
            int j = _bitReversed[i];
            if (j > i)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }

        double sign = inverse ? 1.0 : -1.0;
        for (int size = 2; size <= m; size <<= 1)
        {
            int half = size >> 1, stride = m / size;
            for (int start = 0; start < m; start += size)
            {
                for (int j = 0; j < half; j++)
                {
                    // Butterfly with twiddle e^{∓2πij/size} = cos − (±) i sin of 2π(j·stride)/m.
                    double c = _cos[j * stride], s = sign * _sin[j * stride];
                    Complex odd = a[start + j + half];
                    double re = odd.Real * c - odd.Imaginary * s;
                    double im = odd.Real * s + odd.Imaginary * c;
                    Complex even = a[start + j];
                    a[start + j] = new Complex(even.Real + re, even.Imaginary + im);
                    a[start + j + half] = new Complex(even.Real - re, even.Imaginary - im);
                }
            }
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
